"""One thin module per subcommand: `main(args) -> int` turns parsed arguments into a library call."""
