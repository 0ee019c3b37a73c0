from commsledger.cli import main

main()
