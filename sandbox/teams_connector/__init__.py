"""A local stand-in for the Microsoft Bot Connector, Entra ID's token endpoint and the Bot
Framework's signing keys, so the Teams front end runs and is tested with no internet."""
