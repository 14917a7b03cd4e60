"""The Microsoft Teams front end: activity handlers, Adaptive Card renderers, the Bot Connector
notifier and the app package. Never imports the Slack modules, and they never import it."""
