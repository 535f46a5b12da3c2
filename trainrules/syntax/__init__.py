"""The policy language's surface: grammar loading, parsing, the AST and lowering."""
