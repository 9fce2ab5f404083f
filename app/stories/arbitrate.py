"""The summarisation model's judgement on borderline pairs: the same specific event, or not?

The rules leave about ten pairs a day just under their thresholds (``group.borderline``); the model
reads both headlines and leads and answers 是 or 否. The instruction comes first and is the same for
every pair, so the decoder's prefix cache reads it once; each pair costs only its own two headlines
and leads and a one-token answer.
"""

from __future__ import annotations

from collections.abc import Sequence

from zhaiyao.documents import Article
from zhaiyao.stories.features import headline
from zhaiyao.stories.model import ChatModel, margins

LEAD_CHARS = 160
PROMPT_VERSION = "arbiter-1"
# The margin of 是 over 否 (logits) to say yes: the best on the tune days among those that join any pair.
THRESHOLD = 1.0
INSTRUCTION = (
    "判断下面两篇同一天的报道是否属于同一条新闻：报道同一个具体事件或发布（同一次会议、讲话、"
    "新闻发布会、政策发布、事故、比赛、展会、访问），或者其中一篇是对另一篇所报道事件的评论、"
    "答问或后续。只是主题相近、同一领域、同一活动周期，不算同一条新闻。只回答“是”或“否”。"
)


def _describe(label: str, article: Article) -> str:
    lead = " ".join(article.text[:LEAD_CHARS].split())
    return f"报道{label}\n标题：{headline(article) or '（无标题）'}\n开头：{lead}"


def pair_prompt(a: Article, b: Article) -> str:
    return f"{INSTRUCTION}\n\n{_describe('甲', a)}\n\n{_describe('乙', b)}\n\n是同一条新闻吗？"


class ModelArbiter:
    """Answers pairs with the loaded chat model (``model.ChatModel``): yes where 是 leads 否 by at
    least ``threshold`` in the first answer token's scores. The small model says 是 to almost every
    pair (14 of 15 on the tune days), so the bar is the margin, chosen on the tune days."""

    def __init__(self, model: ChatModel, threshold: float = THRESHOLD) -> None:
        self.model = model
        self.model_name = model.model_name
        self.threshold = threshold
        self.last: list[float] = []  # the margins of the last call, for the bench

    def __call__(self, pairs: Sequence[tuple[Article, Article]]) -> list[bool]:
        # Asked both ways round and averaged, so the answer does not depend on which article came first.
        ordered = [(a, b) for a, b in pairs] + [(b, a) for a, b in pairs]
        conversations = [[{"role": "user", "content": pair_prompt(a, b)}] for a, b in ordered]
        both = margins(self.model, conversations, "是", "否") if pairs else []
        self.last = [(x + y) / 2 for x, y in zip(both[: len(pairs)], both[len(pairs) :], strict=True)]
        return [m >= self.threshold for m in self.last]
