"""Fault injection: make chosen AWS calls fail with a chosen error code.

A fault matches on service, and optionally operation, region and account. Its error
body is produced by moto's own serializer for the protocol the request used (query XML,
EC2 XML, JSON), so botocore raises `ClientError` with that code; `Throttling` and
friends are retried by botocore like real throttling.
"""

from __future__ import annotations

import io
import itertools
import os
import random
import threading
import warnings
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import parse_qs

DEFAULT_MESSAGES = {
    "AccessDenied": "User is not authorized to perform this operation (injected).",
    "Throttling": "Rate exceeded (injected).",
    "UnrecognizedClientException": "The security token included in the request is invalid (injected).",
}


@dataclass
class Fault:
    fault_id: int
    service: str
    signing_name: str
    code: str
    status: int
    message: str
    operation: str | None = None
    region: str | None = None
    account: str | None = None
    remaining: int | None = 1
    rate: float | None = None  # fail only this share of matching calls (seeded, repeatable)
    seen: int = 0
    fired: int = 0
    rng: random.Random = field(default_factory=random.Random, repr=False)

    def matches(self, request: RequestIdentity) -> bool:
        wanted = (
            (self.operation, request.operation),
            (self.region, request.region),
            (self.account, request.account),
        )
        service_ok = self.service == "*" or self.signing_name == request.signing_name
        return service_ok and all(want is None or want == got for want, got in wanted)


@dataclass(frozen=True)
class RequestIdentity:
    signing_name: str
    operation: str | None
    region: str | None
    account: str | None
    content_type: str


def signing_name_of(service: str) -> str:
    """boto3 names some services differently from their signature (cloudwatch -> monitoring)."""
    import botocore.session

    try:
        model = botocore.session.get_session().get_service_model(service)
    except Exception:  # unknown to botocore: take the name as the signing name
        return service
    return str(model.signing_name)


@dataclass
class FaultBook:
    """The faults of one server; thread-safe because requests arrive on many threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    faults: list[Fault] = field(default_factory=list)
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def add(self, spec: dict[str, Any]) -> Fault:
        code = str(spec["code"])
        count = spec.get("count", 1)
        if count is not None and int(count) < 1:
            raise ValueError("count must be at least 1, or null for a standing fault")
        fault = Fault(
            fault_id=next(self.ids),
            service=str(spec["service"]),
            signing_name="*" if spec["service"] == "*" else signing_name_of(str(spec["service"])),
            code=code,
            status=int(spec.get("status") or 400),
            message=str(spec.get("message") or DEFAULT_MESSAGES.get(code, f"{code} (injected).")),
            operation=spec.get("operation"),
            region=spec.get("region"),
            account=spec.get("account"),
            remaining=None if count is None else int(count),
            rate=None if spec.get("rate") is None else float(spec["rate"]),
            rng=random.Random(int(spec.get("seed") or 0)),
        )
        if fault.rate is not None and not 0 < fault.rate <= 1:
            raise ValueError("rate must be in (0, 1]")
        with self.lock:
            self.faults.append(fault)
        return fault

    def clear(self) -> None:
        with self.lock:
            self.faults.clear()

    def listing(self) -> list[dict[str, Any]]:
        with self.lock:
            return [{k: v for k, v in asdict(fault).items() if k != "rng"} for fault in self.faults]

    def take(self, request: RequestIdentity) -> Fault | None:
        """The first matching fault, used up once its count reaches zero."""
        with self.lock:
            for fault in self.faults:
                if fault.matches(request):
                    fault.seen += 1
                    if fault.rate is not None and fault.rng.random() >= fault.rate:
                        continue
                    fault.fired += 1
                    if fault.remaining is not None:
                        fault.remaining -= 1
                        if fault.remaining <= 0:
                            self.faults.remove(fault)
                    return fault
        return None


def _read_body(environ: dict[str, Any]) -> bytes:
    """Read the body and put it back, so moto still sees it."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def _operation(environ: dict[str, Any], content_type: str) -> str | None:
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return str(target).rsplit(".", 1)[-1]
    path = str(environ.get("PATH_INFO", ""))
    if "/operation/" in path:
        return path.rsplit("/operation/", 1)[-1].strip("/")
    if content_type.startswith("application/x-www-form-urlencoded"):
        form = parse_qs(_read_body(environ).decode("utf-8", "replace"))
        return form.get("Action", [None])[0]
    query = parse_qs(str(environ.get("QUERY_STRING", "")))
    return query.get("Action", [None])[0]


def _account(environ: dict[str, Any], access_key: str | None) -> str:
    """The account moto will use for this request (same order of precedence)."""
    if "MOTO_ACCOUNT_ID" in os.environ:
        return os.environ["MOTO_ACCOUNT_ID"]
    if environ.get("HTTP_X_MOTO_ACCOUNT_ID"):
        return str(environ["HTTP_X_MOTO_ACCOUNT_ID"])
    from moto.iam.models import get_account_id_from

    return get_account_id_from(access_key or "")


def identify(environ: dict[str, Any]) -> RequestIdentity | None:
    """Service, operation, region and account of a SigV4-signed request."""
    auth = str(environ.get("HTTP_AUTHORIZATION", ""))
    if "Credential=" not in auth:
        return None
    scope = auth.split("Credential=", 1)[1].split(",", 1)[0].split("/")
    if len(scope) < 5:
        return None
    access_key, region, signing_name = scope[0], scope[2], scope[3]
    content_type = str(environ.get("CONTENT_TYPE", ""))
    return RequestIdentity(
        signing_name=signing_name,
        operation=_operation(environ, content_type),
        region=region,
        account=_account(environ, access_key),
        content_type=content_type,
    )


# Signing names that differ from the service name botocore loads models by.
_SERVICE_OF_SIGNING_NAME = {"monitoring": "cloudwatch", "tagging": "resourcegroupstaggingapi"}


def error_response(fault: Fault, request: RequestIdentity) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of the error, in the protocol of the request."""
    from botocore.model import OperationModel
    from moto.core.request import determine_request_protocol
    from moto.core.serialize import XFormedAttributePicker, get_serializer_class
    from moto.core.utils import get_service_model

    service = fault.service
    if service == "*":  # a fault on every service answers in the protocol of the one called
        service = _SERVICE_OF_SIGNING_NAME.get(request.signing_name, request.signing_name)
    service_model = get_service_model(service)
    try:
        operation_model = service_model.operation_model(request.operation or "")
    except Exception:  # operation unknown to the model: serialize with an empty one
        operation_model = OperationModel({}, service_model)
    protocol = determine_request_protocol(service_model, request.content_type)
    serializer = get_serializer_class(service_model.service_name, protocol)(
        operation_model=operation_model, value_picker=XFormedAttributePicker()
    )
    with warnings.catch_warnings():
        # moto warns when a code is not in the service model (e.g. Throttling); expected here
        warnings.simplefilter("ignore")
        result = serializer.serialize(_injected_error(fault.code, fault.message))
    body = result["body"]
    headers = {str(k): str(v) for k, v in result["headers"].items()}
    headers["x-amzn-RequestId"] = f"injected-fault-{fault.fault_id}"
    return fault.status, headers, body if isinstance(body, bytes) else str(body).encode()


def _injected_error(code: str, message: str) -> Exception:
    """An exception moto's serializer renders; defined outside moto on purpose (moto
    would otherwise look up a service model named after the defining package)."""
    from moto.core.exceptions import ServiceException

    class InjectedFault(ServiceException):
        pass

    return InjectedFault(code, message)
