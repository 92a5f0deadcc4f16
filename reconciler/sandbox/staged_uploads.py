"""Staged uploads: `stagedUploadsCreate` targets and the sandbox's stand-in for Cloud Storage.

Shopify answers `stagedUploadsCreate` with a target on its GCS bucket: for POST, a form whose
fields (`key`, `Content-Type`, `success_action_status`, `acl`, `policy`, `x-goog-*`) must all be
sent with the `file` field last (facts §3.1 step 3); for PUT (the default), a signed URL. The
sandbox serves both at `/_sandbox/uploads/`: the policy is an HMAC-signed document naming the key,
content type and size range, so a forged or altered field is refused the way GCS refuses it (XML
error body), and an upload outside the policy's size range is `EntityTooLarge` / `EntityTooSmall`.

Uploaded files live in a private temporary directory; a key can be uploaded again while its target
has not expired (each upload bumps the key's generation, which a running bulk operation checks: the
docs warn that changing the file during the operation fails it).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from .gids import UserError

BUCKET = "shopify-staged-uploads"
UPLOAD_PATH = "/_sandbox/uploads/"
MB = 1024 * 1024
BULK_LIMIT = 100 * MB  # facts §3.4: JSONL files up to 100 MB
LIMITS = {"IMAGE": 20 * MB, "PRODUCT_IMAGE": 20 * MB, "SHOP_IMAGE": 20 * MB, "FILE": 20 * MB}
NEEDS_SIZE = ("VIDEO", "MODEL_3D")
TARGET_TTL = 24 * 3600  # how long a target accepts uploads (reading: not documented)
ALGORITHM = "GOOG4-HMAC-SHA256"


@dataclass(slots=True)
class Target:
    key: str
    resource: str
    mime: str
    filename: str
    limit: int
    expires: float
    method: str
    path: Path | None = None  # the uploaded file, once uploaded
    size: int = 0
    generation: int = 0


class UploadError(Exception):
    """A refused upload, answered as Google Cloud Storage answers (status, XML error)."""

    def __init__(self, status: int, code: str, message: str, details: str | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details

    def xml(self) -> str:
        details = f"<Details>{self.details}</Details>" if self.details else ""
        return (
            "<?xml version='1.0' encoding='UTF-8'?><Error>"
            f"<Code>{self.code}</Code><Message>{self.message}</Message>{details}</Error>"
        )


class StagedUploads:
    """Targets handed out by stagedUploadsCreate and the files uploaded to them."""

    def __init__(
        self,
        directory: Path,
        bulk_limit: int = BULK_LIMIT,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.directory = Path(directory)
        self.bulk_limit = bulk_limit
        self.clock = clock
        self.secret = secrets.token_bytes(32)
        self.targets: dict[str, Target] = {}
        self.base_url = "http://127.0.0.1"

    def reset(self) -> None:
        for target in self.targets.values():
            if target.path is not None:
                target.path.unlink(missing_ok=True)
        self.targets.clear()

    # -- stagedUploadsCreate ----------------------------------------------------------------

    def create(self, inputs: list[dict[str, Any]], shop_id: int) -> tuple[list, list[dict]]:
        """(stagedTargets, userErrors): all targets, or none when an input is refused."""
        errors: list[UserError] = []
        targets = []
        for i, item in enumerate(inputs):
            resource = item["resource"]
            if resource in NEEDS_SIZE and item.get("fileSize") in (None, ""):
                errors.append(UserError("File size is required.", ["input", str(i), "fileSize"]))
                continue
            targets.append(self._target(item, shop_id))
        if errors:
            return [], [{"field": e.field, "message": e.message} for e in errors]
        return [self._describe(t) for t in targets], []

    def _target(self, item: dict[str, Any], shop_id: int) -> Target:
        resource = item["resource"]
        folder = "bulk" if resource == "BULK_MUTATION_VARIABLES" else resource.lower()
        filename = item["filename"].replace("/", "_") or "file"
        key = f"tmp/{shop_id}/{folder}/{uuid.uuid4()}/{filename}"
        if resource == "BULK_MUTATION_VARIABLES":
            limit = self.bulk_limit
        elif resource in NEEDS_SIZE:
            limit = int(item["fileSize"])
        else:
            limit = LIMITS.get(resource, 20 * MB)
        method = item.get("httpMethod") or "PUT"
        target = Target(
            key, resource, item["mimeType"], filename, limit, self.clock() + TARGET_TTL, method
        )
        self.targets[key] = target
        return target

    def _describe(self, t: Target) -> dict[str, Any]:
        date = datetime.fromtimestamp(t.expires - TARGET_TTL, UTC).strftime("%Y%m%dT%H%M%SZ")
        credential = f"sandbox-uploads@shopify-sandbox.iam.gserviceaccount.com/{date[:8]}/auto"
        resource_url = None
        if t.resource != "BULK_MUTATION_VARIABLES":
            resource_url = self.resource_url(t.key)
        if t.method == "POST":
            policy = self._policy(t, date, credential)
            params = [
                ("Content-Type", t.mime),
                ("success_action_status", "201"),
                ("acl", "private"),
                ("key", t.key),
                ("x-goog-date", date),
                ("x-goog-credential", credential),
                ("x-goog-algorithm", ALGORITHM),
                ("x-goog-signature", self._sign(policy)),
                ("policy", policy),
            ]
            url = self.base_url + UPLOAD_PATH
        else:
            params = [("content_type", t.mime), ("acl", "private")]
            url = self.put_url(t, date, credential)
        return {
            "url": url,
            "resourceUrl": resource_url,
            "parameters": [{"name": n, "value": v} for n, v in params],
        }

    def resource_url(self, key: str) -> str:
        return self.base_url + UPLOAD_PATH + quote(key)

    def put_url(self, t: Target, date: str, credential: str) -> str:
        expires = int(t.expires)
        signature = self._sign(f"PUT\n{t.key}\n{expires}")
        return (
            f"{self.resource_url(t.key)}?X-Goog-Algorithm={ALGORITHM}"
            f"&X-Goog-Credential={quote(credential, safe='')}&X-Goog-Date={date}"
            f"&X-Goog-Expires={expires}&X-Goog-SignedHeaders=content-type%3Bhost"
            f"&X-Goog-Signature={signature}"
        )

    def _policy(self, t: Target, date: str, credential: str) -> str:
        expiration = datetime.fromtimestamp(t.expires, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        doc = {
            "conditions": [
                {"Content-Type": t.mime},
                {"success_action_status": "201"},
                {"acl": "private"},
                ["content-length-range", 1, t.limit],
                {"bucket": BUCKET},
                {"key": t.key},
                {"x-goog-date": date},
                {"x-goog-credential": credential},
                {"x-goog-algorithm": ALGORITHM},
            ],
            "expiration": expiration,
        }
        return base64.b64encode(json.dumps(doc, separators=(",", ":")).encode()).decode()

    def _sign(self, text: str) -> str:
        return hmac.new(self.secret, text.encode(), hashlib.sha256).hexdigest()

    # -- the upload endpoint ----------------------------------------------------------------

    def check_form(self, fields: dict[str, str]) -> Target:
        """The target a POST form may write, or UploadError (GCS's answers)."""
        policy = fields.get("policy")
        signature = fields.get("x-goog-signature", "")
        if not policy:
            raise UploadError(400, "InvalidArgument", "Invalid argument.", "Missing policy.")
        if not hmac.compare_digest(self._sign(policy), signature):
            raise UploadError(
                403,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided.",
            )
        doc = json.loads(base64.b64decode(policy))
        for condition in doc["conditions"]:
            if isinstance(condition, dict):
                ((name, wanted),) = condition.items()
                if name != "bucket" and fields.get(name) != wanted:
                    raise UploadError(
                        403,
                        "AccessDenied",
                        "Invalid according to Policy: Policy Condition failed.",
                        f'["eq", "${name}", "{wanted}"]',
                    )
        target = self.targets.get(fields["key"])
        if target is None:
            raise UploadError(403, "AccessDenied", "Access denied.")
        self._check_alive(target)
        return target

    def check_put(self, key: str, query: dict[str, str]) -> Target:
        target = self.targets.get(key)
        expires = query.get("X-Goog-Expires", "")
        signature = query.get("X-Goog-Signature", "")
        if target is None or not hmac.compare_digest(
            self._sign(f"PUT\n{key}\n{expires}"), signature
        ):
            raise UploadError(
                403,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided.",
            )
        self._check_alive(target)
        return target

    def _check_alive(self, target: Target) -> None:
        if self.clock() > target.expires:
            raise UploadError(
                400, "InvalidPolicyDocument", "Invalid according to Policy: Policy expired."
            )

    def too_large(self, target: Target) -> UploadError:
        return UploadError(
            400,
            "EntityTooLarge",
            "Your proposed upload is larger than the maximum object size specified in your "
            "Policy Document.",
            f"Content-length exceeds upper bound on range ({target.limit} bytes).",
        )

    def spool_path(self) -> Path:
        self.directory.mkdir(parents=True, exist_ok=True)
        return self.directory / f"incoming-{uuid.uuid4().hex}"

    def commit(self, target: Target, spooled: Path, size: int) -> None:
        final = self.directory / hashlib.sha256(target.key.encode()).hexdigest()
        spooled.replace(final)
        target.path, target.size = final, size
        target.generation += 1

    def success_xml(self, target: Target) -> str:
        return (
            "<?xml version='1.0' encoding='UTF-8'?><PostResponse>"
            f"<Location>{self.resource_url(target.key)}</Location><Bucket>{BUCKET}</Bucket>"
            f'<Key>{target.key}</Key><ETag>"{target.generation}"</ETag></PostResponse>'
        )

    # -- lookups for bulk operations and media ----------------------------------------------

    def uploaded(self, key: str) -> Target | None:
        target = self.targets.get(key)
        return target if target is not None and target.path is not None else None

    def key_of_url(self, url: str) -> str | None:
        """The key behind a resourceUrl the sandbox handed out, or None for any other URL."""
        if not url.startswith(self.base_url + UPLOAD_PATH):
            return None
        return unquote(urlsplit(url).path.removeprefix(UPLOAD_PATH))
