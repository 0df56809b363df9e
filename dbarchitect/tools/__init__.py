"""Tool adapters: each tool is a short async function `(app, **arguments) -> pydantic model`.

The server (dbarchitect.server) exposes them over MCP; the CLI calls the same functions.
"""
