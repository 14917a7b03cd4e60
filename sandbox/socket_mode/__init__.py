"""An emulated Slack Socket Mode endpoint and a driver that speaks to an app through it."""

from sandbox.socket_mode.driver import SocketModeDriver
from sandbox.socket_mode.server import SocketModeServer

__all__ = ["SocketModeDriver", "SocketModeServer"]
