from zhaiyao.cli import main

main()
