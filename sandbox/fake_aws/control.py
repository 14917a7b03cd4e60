"""The `/_fake/...` control endpoints, and fault injection in front of moto.

Endpoints (JSON in and out):
  POST   /_fake/faults                      add a fault (see faults.FaultBook.add)
  GET    /_fake/faults                      list active faults
  DELETE /_fake/faults                      remove every fault
  POST   /_fake/reset                       wipe all AWS state (moto's reset) and faults
  POST   /_fake/config                      {"modify_delay_describes": N}
  GET    /_fake/state/elasticache/{account}/{region}/{group_id}
  PATCH  /_fake/state/elasticache/{account}/{region}/{group_id}   seed-only fields
  POST   /_fake/elasticache/{account}/{region}/reserved-nodes       seed a reserved node
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.wrappers import Request, Response

from sandbox.fake_aws import inspect_state
from sandbox.fake_aws.elasticache.errors import ElastiCacheError
from sandbox.fake_aws.elasticache.store import FakeSettings
from sandbox.fake_aws.faults import FaultBook, error_response, identify

CONTROL_PREFIX = "/_fake/"
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _json(payload: Any, status: int = 200) -> Response:
    return Response(json.dumps(payload, default=str), status=status, mimetype="application/json")


class FakeAwsApp:
    """WSGI app: control endpoints, then injected faults, then moto."""

    def __init__(self, moto_app: WsgiApp, faults: FaultBook, settings: FakeSettings) -> None:
        self.moto_app = moto_app
        self.faults = faults
        self.settings = settings

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        if str(environ.get("PATH_INFO", "")).startswith(CONTROL_PREFIX):
            response = self.control(Request(environ))
            return response(environ, start_response)
        # identifying a request reads its body: only worth it while faults are set
        request = identify(environ) if self.faults.faults else None
        fault = self.faults.take(request) if request is not None else None
        if fault is not None and request is not None:
            status, headers, body = error_response(fault, request)
            return Response(body, status=status, headers=headers)(environ, start_response)
        return self.moto_app(environ, start_response)

    def control(self, request: Request) -> Response:
        parts = [part for part in request.path[len(CONTROL_PREFIX) :].split("/") if part]
        try:
            return self._route(request, parts)
        except (KeyError, ValueError, TypeError) as error:
            return _json({"error": f"bad request: {error}"}, 400)
        except ElastiCacheError as error:
            return _json({"error": error.code, "message": error.message}, 400)

    def _route(self, request: Request, parts: list[str]) -> Response:
        method = request.method
        if parts == ["faults"]:
            return self._faults(request)
        if parts == ["reset"] and method == "POST":
            return self._reset()
        if parts == ["config"] and method == "POST":
            payload = request.get_json(force=True) or {}
            self.settings.modify_delay_describes = int(payload["modify_delay_describes"])
            return _json({"modify_delay_describes": self.settings.modify_delay_describes})
        if parts == ["health"]:
            return _json({"ok": True, "pid": os.getpid()})
        if len(parts) == 5 and parts[:2] == ["state", "elasticache"]:
            return self._group_state(request, *parts[2:])
        if len(parts) == 4 and parts[0] == "elasticache" and parts[3] == "reserved-nodes":
            payload = request.get_json(force=True) or {}
            return _json(inspect_state.seed_reserved(parts[1], parts[2], payload))
        return _json({"error": f"no control endpoint {method} {request.path}"}, 404)

    def _faults(self, request: Request) -> Response:
        if request.method == "POST":
            fault = self.faults.add(request.get_json(force=True) or {})
            return _json({"id": fault.fault_id})
        if request.method == "DELETE":
            self.faults.clear()
            return _json({"cleared": True})
        return _json({"faults": self.faults.listing()})

    def _reset(self) -> Response:
        from moto.moto_api._internal.models import moto_api_backend

        moto_api_backend.reset()
        self.faults.clear()
        return _json({"reset": True})

    def _group_state(self, request: Request, account: str, region: str, group_id: str) -> Response:
        if request.method in ("PATCH", "POST"):
            payload = request.get_json(force=True) or {}
            state = inspect_state.patch_group(account, region, group_id, payload)
        else:
            state = inspect_state.group_state(account, region, group_id)
        if state is None:
            return _json({"error": f"no replication group or cluster {group_id}"}, 404)
        return _json(state)
