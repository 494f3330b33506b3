from urbanmine.cli import main

main()
