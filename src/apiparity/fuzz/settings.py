"""Every option of a fuzz run, in one plain dataclass shared by `fuzz`, `check` and the config file."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from apiparity.errors import ConfigError

PHASES = ("examples", "coverage", "fuzzing", "stateful")
DEFAULT_PHASES = ("examples", "coverage", "fuzzing", "stateful")
MODES = ("positive", "negative", "all")
SPEC_SOURCES = ("auto", "old", "new", "both")
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(slots=True)
class FuzzSettings:
    """How cases are generated, sent and compared. Defaults are the "default profile"."""

    spec: str = "auto"  # which document the cases come from: auto | old | new | both (see resolve_spec_source)
    phases: tuple[str, ...] = DEFAULT_PHASES
    mode: str = "positive"  # positive | negative | all
    max_examples: int = 20  # fuzzing-phase examples per operation (examples/coverage add their own)
    seed: int = 0
    include: tuple[str, ...] = ()  # selectors: "GET", "/books/*", "tag:books", "id:listBooks", "GET /books"
    exclude: tuple[str, ...] = ()
    timeout: float = 10.0  # seconds per request
    workers: int = 1  # parallel cases against live servers
    headers: dict[str, str] = field(default_factory=dict)  # sent to both sides
    old_headers: dict[str, str] = field(default_factory=dict)  # e.g. each side's own auth
    new_headers: dict[str, str] = field(default_factory=dict)
    old_url: str | None = None  # send OLD's requests to this live server instead of in-process
    new_url: str | None = None
    old_base_path: str | None = None  # path prefix of OLD's operations (default: its servers[0] path)
    new_base_path: str | None = None
    reset: tuple[str, ...] = ()  # "pkg.mod:func" / "file.py:func", called before each call to either side
    reset_old: tuple[str, ...] = ()
    reset_new: tuple[str, ...] = ()
    compare_headers: tuple[str, ...] = ()  # headers compared beyond content-type, location and allow
    ignore: tuple[str, ...] = ()  # field patterns: "$.items[*].updated_at", "header:etag"
    unordered: tuple[str, ...] = ()  # list fields compared as multisets: "$.items"
    equivalent_status: tuple[tuple[int, int], ...] = ()  # (old, new) pairs treated as equal
    allow_unsafe: bool = False  # allow POST/PUT/PATCH/DELETE to hosts that are not loopback
    redact: bool = True
    redact_names: tuple[str, ...] = ()  # --redact NAME: more header/query/body field names to hide (apiparity.redact)
    noise_calls: bool = True  # call OLD twice per case (Diffy noise cancellation)
    conformance: bool = True
    max_body_chars: int = 2000  # response bodies kept in examples are truncated to this
    max_body_bytes: int = 10 * 1024 * 1024  # a response body is not read past this (reported as truncated)
    examples_per_group: int = 5
    auto_reset: bool = True  # use a module-level reset() next to an app when no hook was given (announced)
    app_dir: str | None = None  # where module:function reset hooks are imported from
    contract: str | None = None  # FILE_OR_URL: the document cases come from and both sides are judged against
    old_auth: Any = None  # a login-flow table or "pkg.mod:provider" (see apiparity.fuzz.auth)
    new_auth: Any = None
    map_ids: bool = True  # stateful: OLD's and NEW's ids for the same created thing compare equal
    stateful_sequences: int = 3  # link sequences started per source operation and link
    record_path: str | None = None  # --record FILE: every generated request, as JSONL `replay` reads
    probes: tuple[str, ...] | None = None  # probes sent beyond the contract (None: every registered one; `apiparity probes`)
    no_probe: tuple[str, ...] = ()  # probes left out
    value_pool: bool = True  # fill parameters from what OLD answered (apiparity.fuzz.values)
    old_python: str | None = None  # --old-python PATH: OLD imported and served in that interpreter (apiparity.sides)
    new_python: str | None = None
    old_cmd: str | None = None  # --old-cmd 'gunicorn -b 127.0.0.1:{port} app:app': the command that serves OLD
    new_cmd: str | None = None
    # --allow-remote-refs: fetch $refs to http(s) URLs (the loading policy spec/diff/check share; never by default)
    allow_remote_refs: bool = False

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        if self.spec not in SPEC_SOURCES:
            raise ConfigError(f"fuzz: spec must be one of {', '.join(SPEC_SOURCES)}, not {self.spec!r}")
        if self.mode not in MODES:
            raise ConfigError(f"fuzz: mode must be one of {', '.join(MODES)}, not {self.mode!r}")
        unknown = [p for p in self.phases if p not in PHASES]
        if unknown:
            raise ConfigError(f"fuzz: unknown phase {unknown[0]!r}; choose from {', '.join(PHASES)}")
        if not self.phases:
            raise ConfigError("fuzz: at least one phase is needed")
        if self.max_examples < 0:
            raise ConfigError("fuzz: max-examples must be >= 0")
        if not 0 < self.timeout < float("inf"):  # also refuses NaN
            raise ConfigError(f"fuzz: timeout must be a finite number of seconds > 0, not {self.timeout}")
        if self.max_body_bytes < 1:
            raise ConfigError("fuzz: max-body-bytes must be >= 1")
        if self.workers < 1:
            raise ConfigError("fuzz: workers must be >= 1")
        if self.stateful_sequences < 0:
            raise ConfigError("fuzz: stateful-sequences must be >= 0")
        if self.probes is not None or self.no_probe:
            from apiparity.fuzz.probes import select_probes

            select_probes(self.probes, self.no_probe)  # ConfigError naming an unknown probe
        from apiparity.fuzz.auth import LoginFlow

        for side, spec in (("old", self.old_auth), ("new", self.new_auth)):
            if isinstance(spec, dict):
                LoginFlow(side, spec)  # refuses unknown keys and literal secrets before anything is loaded
            elif spec is not None and not isinstance(spec, str):
                raise ConfigError(f"{side}_auth: expected a login table or \"module:object\", not {type(spec).__name__}")

    def to_dict(self) -> dict[str, Any]:
        """The settings as they go into the report (FuzzResult.settings)."""
        data = asdict(self)
        data["phases"] = list(self.phases)
        data["probes"] = None if self.probes is None else list(self.probes)
        data["no_probe"] = list(self.no_probe)
        data["equivalent_status"] = [f"{a}={b}" for a, b in self.equivalent_status]
        if self.redact:
            from apiparity.redact import from_settings

            policy = from_settings(self)
            for key in ("headers", "old_headers", "new_headers"):
                data[key] = policy.headers(data[key])
        return data


def parse_header(text: str) -> tuple[str, str]:
    """'Name: value' -> (Name, value); ConfigError for anything else."""
    name, sep, value = text.partition(":")
    if not sep or not name.strip():
        raise ConfigError(f"header {text!r}: expected 'Name: value'")
    if any(ch in text for ch in "\r\n\x00"):
        raise ConfigError(f"header {name.strip()!r}: the value contains a line break or NUL; one header is one line")
    return name.strip(), value.strip()


def parse_status_pair(text: str) -> tuple[int, int]:
    """'400=422' -> (400, 422)."""
    left, sep, right = text.partition("=")
    try:
        pair = (int(left), int(right))
    except ValueError:
        pair = (0, 0)
    if not sep or not all(100 <= s <= 599 for s in pair):
        raise ConfigError(f"equivalent status {text!r}: expected OLD=NEW with HTTP statuses, e.g. 400=422")
    return pair


def resolve_spec_source(spec: str, old: Any, new: Any) -> tuple[str, str | None]:
    """The document(s) cases come from, and why when `auto` chose. `auto` is OLD's document (what
    today's clients send), unless OLD's is a skeleton inferred from a plain Flask url_map (it knows
    no query parameters or bodies) and NEW publishes a real one: then both, so the skeleton's typed
    path parameters and NEW's described inputs are all sent to both sides."""
    if spec != "auto":
        return spec, None
    if getattr(old, "inferred", False) and not getattr(new, "inferred", False) and (new.document or {}).get("paths"):
        return "both", ("cases come from OLD's inferred skeleton and NEW's document (--spec both): the skeleton knows "
                        "no query parameters or bodies; pass --spec old or --contract FILE to choose")
    return "old", None
