"""The viewer's stylesheet: cards, badges, the article's highlighting, the calendar, and the layout rules
that hold from 760 px (cards one to a row when the main area is narrow, labels that wrap, long words
and addresses broken inside their boxes)."""

CSS = """
<style>
.zy-card{border:1px solid #e3e6ea;border-radius:12px;padding:14px 18px 12px;margin:4px 0 2px;
  background:#fff;box-shadow:0 1px 2px rgba(16,24,40,.05);line-height:1.75;
  font-family:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",sans-serif}
.zy-card-top{display:flex;align-items:center;gap:8px;margin-bottom:4px;font-size:.8rem;color:#667085}
.zy-index{display:inline-flex;align-items:center;justify-content:center;min-width:22px;height:22px;
  border-radius:11px;background:#1d3557;color:#fff;font-weight:600;font-size:.75rem}
.zy-chars{margin-left:auto}
.zy-title{font-size:1.12rem;font-weight:700;margin:2px 0 4px;padding:0;color:#101828;line-height:1.5}
.zy-gen{display:inline-block;margin-left:8px;padding:0 6px;border:1px dashed #9b59b6;border-radius:6px;
  color:#7d3c98;font-size:.72rem;font-weight:500;vertical-align:middle}
.zy-subtitle{color:#344054;font-size:.92rem;margin-bottom:2px}
.zy-byline{color:#667085;font-size:.82rem;margin-bottom:6px}
.zy-summary{margin:6px 0;padding:8px 12px;background:#f6f8fb;border-left:4px solid #2a6fdb;
  border-radius:4px;color:#101828;font-size:.98rem}
ul.zy-summary{padding-left:30px}
.zy-waiting{color:#98a2b3;border-left-color:#d0d5dd}
.zy-error{color:#b42318}
.zy-keywords span{display:inline-block;margin:2px 6px 2px 0;padding:0 8px;border-radius:10px;
  background:#eef2f6;color:#364152;font-size:.78rem}
.zy-continued{color:#b54708;font-size:.82rem;margin-top:4px}
.zy-badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:.75rem;font-weight:600}
.zy-ok{background:#dcfae6;color:#067647}
.zy-unsure{background:#fef0c7;color:#93370d}
.zy-retried{background:#fef0c7;color:#93370d}
.zy-fallback{background:#fee4e2;color:#b42318}
.zy-failed{background:#b42318;color:#fff}
.zy-pending{background:#d1e9ff;color:#175cd3}
.zy-missing{background:#eaecf0;color:#475467}
.zy-article{line-height:1.9;font-size:1.02rem;
  font-family:"Noto Serif CJK SC","Source Han Serif SC","Songti SC",serif}
.zy-para{text-indent:2em;margin:0 0 .7em}
mark.zy-support{padding:1px 0;border-radius:3px}
mark.zy-strong{background:#ffe58f}
mark.zy-weak{background:#fff5cc}
sup.zy-ref{font-size:.65rem;color:#ad6800;margin-left:1px}
.zy-aside{border:1px solid #e3e6ea;border-radius:8px;padding:8px 14px;margin:10px 0;background:#fcfcfd}
.zy-aside h4{font-size:.9rem;margin:0 0 4px;padding:0;color:#475467}
.zy-short{background:#f2f4f7;color:#344054;border:1px dashed #98a2b3}
mark.zy-hit{background:#ffd666;padding:0 1px;border-radius:2px}
.zy-star{color:#f79009;font-size:.95rem}
.zy-read{color:#98a2b3;font-size:.72rem;border:1px solid #d0d5dd;border-radius:6px;padding:0 4px}
.zy-page-title{margin:0 0 2px;padding:0}
/* Long words and addresses wrap inside the card instead of running out of it. */
.zy-card,.zy-article,.zy-aside{overflow-wrap:anywhere;word-break:break-word}
.zy-card-top{flex-wrap:wrap}
/* Cards two to a row where there is room, one per row when the main area is narrow. */
[data-testid="stHorizontalBlock"]:has(.zy-card),[data-testid="stHorizontalBlock"]:has(.zy-article){
  flex-wrap:wrap !important}
[data-testid="stHorizontalBlock"]:has(.zy-card)>[data-testid="stColumn"]{
  flex:1 1 340px !important;min-width:min(100%,340px) !important;width:auto !important}
[data-testid="stHorizontalBlock"]:has(.zy-article)>[data-testid="stColumn"]{
  flex:1 1 320px !important;min-width:min(100%,320px) !important;width:auto !important}
/* A button's label wraps rather than being cut. */
.stButton button,.stDownloadButton button,.stFormSubmitButton button{max-width:100%;height:auto}
.stButton button p,.stDownloadButton button p,.stFormSubmitButton button p{
  white-space:normal;overflow:visible;text-overflow:clip;overflow-wrap:anywhere}
.zy-cal{border-collapse:collapse;font-size:.78rem;margin:2px 0 6px}
.zy-cal th{color:#667085;font-weight:500;padding:1px 4px}
.zy-cal td{text-align:center;padding:1px 4px;color:#c0c5cc}
.zy-cal td.zy-held a{color:#175cd3;font-weight:700;text-decoration:none}
.zy-cal td.zy-on{background:#1d3557;border-radius:4px}
.zy-cal td.zy-on a{color:#fff}
.zy-keys{color:#98a2b3;font-size:.75rem}
.zy-counts{display:flex;flex-wrap:wrap;gap:6px 18px;margin:4px 0 2px;color:#475467;font-size:.85rem}
.zy-count b{display:block;font-size:1.6rem;font-weight:500;color:#101828;line-height:1.2}
.zy-count.zy-hot b{color:#b42318}
.zy-editions-head{font-size:.875rem;color:#31333f;margin:6px 0 -4px}
</style>
"""
