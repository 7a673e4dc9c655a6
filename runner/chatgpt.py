"""Comments from an OpenAI-compatible chat-completions endpoint (docs/spec/scripts.md, account_warmup
``generate_by_chatgpt`` and ``chatgpt_settings``).

Takes the settings (``api_key``, ``model``, ``prompt``, ``max_tokens``, ``temperature``,
``base_url``) and what the video shows (creator, caption); gives one comment line. One request:
``POST {base_url}/chat/completions`` with ``Authorization: Bearer <api_key>`` and the body
``{"model", "messages": [{"role": "system", ...}, {"role": "user", ...}], "max_tokens",
"temperature"}``; the answer's ``choices[0].message.content``, trimmed, on one line.

Secrets: the key goes into the Authorization header and nowhere else. Errors carry the URL, the
HTTP status and at most 200 characters of the answer, never the key or the request headers.
Blocking (stdlib ``urllib``): call it through ``trio.to_thread.run_sync``; ``timeout`` seconds.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from runner.models.scripts import ChatGPTSettings

DEFAULT_BASE_URL = "https://api.openai.com/v1"  # base_url "" (docs/spec/scripts.md: OpenAI's)
DEFAULT_PROMPT = "Write a comment for this video."  # prompt "" (ours)
SYSTEM_PROMPT = (
    "You write one short, friendly comment for a TikTok video, in the language of its caption. "
    "Answer with the comment only: no quotes, no hashtags, one line."
)


class ChatError(Exception):
    """The endpoint could not give a comment; the message is safe to log (no key)."""


def completions_url(base_url: str) -> str:
    """``<base_url>/chat/completions`` (the OpenAI default when ``base_url`` is empty); a base
    that already ends with ``/chat/completions`` is used as is."""
    base = (base_url or DEFAULT_BASE_URL).rstrip("/")
    return base if base.endswith("/chat/completions") else base + "/chat/completions"


def generate_comment(
    settings: ChatGPTSettings, *, creator: str = "", caption: str = "", timeout: float = 20.0
) -> str:
    """One comment from the endpoint (see the module docstring), with ``settings`` the task's
    validated ``chatgpt_settings`` (runner/models/scripts.py: every default lives there; an empty
    ``prompt`` means :data:`DEFAULT_PROMPT`). Raises :class:`ChatError`."""
    key = settings.api_key.get_secret_value() if settings.api_key is not None else ""
    if not key:
        raise ChatError("no api_key in chatgpt_settings")
    url = completions_url(settings.base_url)
    user = settings.prompt or DEFAULT_PROMPT
    about = "; ".join(
        part
        for part in (
            f"creator: {creator}" if creator else "",
            f"caption: {caption}" if caption else "",
        )
        if part
    )
    if about:
        user = f"{user}\n\nThe video: {about}"
    body = {
        "model": settings.model,
        "messages": [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": user},
        ],
        "max_tokens": settings.max_tokens,
        "temperature": settings.temperature,
    }
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode("utf-8"),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {key}",
            "Accept": "application/json",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read(1_000_000)
    except urllib.error.HTTPError as e:
        detail = e.read(200).decode("utf-8", "replace") if e.fp else ""
        raise ChatError(f"{url} answered HTTP {e.code}: {detail[:200]}") from None
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, "reason", e)
        raise ChatError(f"{url} unreachable: {reason}") from None
    try:
        answer = json.loads(raw)
        content = answer["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError):
        raise ChatError(f"{url} gave no choices[0].message.content: {raw[:200]!r}") from None
    line = " ".join(str(content).split()).strip().strip('"').strip()
    if not line:
        raise ChatError(f"{url} gave an empty comment")
    return line
