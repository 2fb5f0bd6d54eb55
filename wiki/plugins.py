"""The plugin host: finds plugins, keeps which are enabled, and calls only their hooks.

Built-in plugins (`plugins/<name>/plugin.py`) and third-party ones (entry-point group `madang.plugins`) are
registered through the same path. Which plugins are enabled, and their settings, is a file in the content
repository (`site/plugins.json`): enabling one is a commit (who, when), and every worker process notices the new
blob id on its next request, so it takes effect at once without a restart.

Hooks are called plugin by plugin: a plugin that raises is logged (and kept in `failures`) as a `PluginError`
naming the plugin and the hook, and the other plugins still answer, so one bug costs one plugin's part of a page,
never the page. No Flask here: the host works the same from the CLI.
"""
from __future__ import annotations

import functools
import importlib
import json
import logging
import pkgutil
import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pluggy
from sqlalchemy import Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column

from . import hookspecs
from .db import Base, Database
from .errors import InvalidInput, MadangError, PluginError
from .store import Author, CommitInfo, ContentStore

log = logging.getLogger("madang.plugins")
PLUGINS_FILE = "site/plugins.json"
ENTRY_POINT_GROUP = "madang.plugins"
BUILTIN_PACKAGE = "plugins"
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
HOOK_NAMES = frozenset(name for name in dir(hookspecs) if name.startswith("madang_"))
FAILURES_KEPT = 50


class PluginSchema(Base):
    """The version of each plugin's state-database tables (see the `madang_migrate` hook)."""

    __tablename__ = "plugin_schema"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


@dataclass
class PluginInfo:
    name: str
    title: dict | str
    description: dict | str
    version: str
    module: Any
    origin: str  # "builtin", "entry_point" or "extra"
    enabled_by_default: bool = True
    schema_version: int = 0
    settings_schema: dict = field(default_factory=dict)
    source: str = ""

    @property
    def builtin(self) -> bool:
        return self.origin == "builtin"


@dataclass(frozen=True)
class PluginFailure:
    when: datetime
    plugin: str
    hook: str
    message: str


@dataclass(frozen=True)
class PluginState:
    """site/plugins.json as read at one revision of the content repository."""

    revision: str | None
    blob: str | None
    data: dict


class HookCall:
    """One hook, called on the enabled plugins one by one (in pluggy's order: tryfirst/trylast honoured)."""

    def __init__(self, host: PluginHost, name: str) -> None:
        self.host, self.name = host, name

    def __call__(self, **kwargs: Any) -> list:
        """The non-None results, like pluggy; a plugin that raises is logged and left out."""
        return [result for _plugin, result in self.each(**kwargs) if result is not None]

    def each(self, **kwargs: Any) -> list[tuple[str, Any]]:
        """(plugin name, result) for every enabled plugin that answered without an error."""
        results = []
        for plugin, impl in self.host.impls(self.name):
            try:
                results.append((plugin, self.host.call_impl(plugin, impl, self.name, kwargs)))
            except PluginError:
                continue  # logged and kept by call_impl
        return results

    def veto(self, **kwargs: Any) -> None:
        """For hooks that may refuse (`madang_before_commit`): a plugin's `MadangError` is the answer and goes
        through unchanged; any other failure is the plugin's own bug, logged, and does not stop the others."""
        for plugin, impl in self.host.impls(self.name):
            try:
                impl.function(*(kwargs[arg] for arg in impl.argnames))
            except MadangError:
                raise
            except Exception as exc:  # noqa: BLE001 (a plugin bug is reported, named, and contained)
                self.host.record_failure(plugin, self.name, exc)

    def strict(self, **kwargs: Any) -> list:
        """Like calling it, but the first plugin that raises stops the call with its `PluginError`."""
        results = []
        for plugin, impl in self.host.impls(self.name):
            result = self.host.call_impl(plugin, impl, self.name, kwargs)
            if result is not None:
                results.append(result)
        return results


class PluginHost:
    def __init__(self, store: ContentStore, builtin_dir: Path | None = None, extra_modules: tuple = ()) -> None:
        self.store = store
        self.pm = pluggy.PluginManager("madang")
        self.pm.add_hookspecs(hookspecs)
        self.plugins: dict[str, PluginInfo] = {}
        self.broken: dict[str, str] = {}  # plugins whose start-up hooks failed: off until the next start
        self.load_errors: list[tuple[str, str]] = []  # (source, message) of plugins that could not be loaded
        self.failures: deque[PluginFailure] = deque(maxlen=FAILURES_KEPT)
        self.view_owners: dict[str, str] = {}  # view name -> the plugin that brought it
        self._logged: set[tuple[str, str]] = set()
        self._state = PluginState("unread", None, {})
        self._discover(builtin_dir, extra_modules)

    # -- discovery --------------------------------------------------------------------------------------------
    def _discover(self, builtin_dir: Path | None, extra_modules: tuple) -> None:
        if builtin_dir is not None and builtin_dir.is_dir():
            for module_info in sorted(pkgutil.iter_modules([str(builtin_dir)]), key=lambda m: m.name):
                if module_info.ispkg and (builtin_dir / module_info.name / "plugin.py").exists():
                    source = f"{BUILTIN_PACKAGE}/{module_info.name}"
                    self._load(source, lambda n=module_info.name: importlib.import_module(
                        f"{BUILTIN_PACKAGE}.{n}.plugin"), "builtin")
        for entry in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
            self._load(f"{entry.name} = {entry.value}", entry.load, "entry_point")
        for module in extra_modules:
            self._load(getattr(module, "__name__", repr(module)), lambda m=module: m, "extra")

    def _load(self, source: str, load: Callable[[], Any], origin: str) -> None:
        """A broken plugin must not take the site down: it is logged and listed in the admin console."""
        try:
            self.add(load(), origin, source)
        except Exception as exc:  # noqa: BLE001
            log.exception("could not load the plugin from %s", source)
            self.load_errors.append((source, f"{type(exc).__name__}: {exc}"))

    def add(self, module: Any, origin: str = "extra", source: str = "") -> PluginInfo:
        """Register one plugin (a module or any object with hook implementations). `origin` is "builtin"
        (plugins/), "entry_point" (an installed package: it starts disabled until an admin enables it) or
        "extra" (passed to create_app)."""
        module_name = getattr(module, "__name__", type(module).__name__)
        parts = module_name.split(".")
        fallback = parts[-2] if len(parts) > 1 and parts[-1] == "plugin" else parts[-1]
        meta = self._startup_call(module, fallback, "madang_plugin_info") or {}
        if not isinstance(meta, dict):
            raise PluginError(fallback, "madang_plugin_info", "it must return a dict")
        name = str(meta.get("name") or fallback)
        if not NAME_RE.match(name):
            raise PluginError(name, "madang_plugin_info", "a plugin name is lower-case letters, digits, '_', '-'")
        if name in self.plugins:
            raise PluginError(name, "madang_plugin_info", f"a plugin named '{name}' is already installed")
        unknown = sorted(attr for attr in dir(module) if attr.startswith("madang_") and attr not in HOOK_NAMES
                         and getattr(getattr(module, attr), "madang_impl", None) is not None)
        if unknown:
            raise PluginError(name, unknown[0], "no such hook (see wiki/hookspecs.py)")
        schema = self._startup_call(module, name, "madang_settings_schema") or {}
        check_schema(name, schema)
        try:
            schema_version = int(meta.get("schema_version", 0))
        except (TypeError, ValueError) as exc:
            raise PluginError(name, "madang_plugin_info", "'schema_version' must be an integer") from exc
        default_on = bool(meta.get("enabled_by_default", True)) if origin != "entry_point" else False
        info = PluginInfo(name=name, title=meta.get("title", name), description=meta.get("description", ""),
                          version=str(meta.get("version", "0")), module=module, origin=origin,
                          enabled_by_default=default_on, schema_version=schema_version, settings_schema=schema,
                          source=source or module_name)
        try:
            self.pm.register(module, name=name)
        except (ValueError, pluggy.PluginValidationError) as exc:
            raise PluginError(name, "register", str(exc)) from exc
        for caller in self.pm.get_hookcallers(module) or ():
            if any(impl.plugin_name == name and (impl.hookwrapper or impl.wrapper) for impl in caller.get_hookimpls()):
                self.pm.unregister(module)
                raise PluginError(name, caller.name, "hook wrappers are not supported: implement the hook itself")
        self.plugins[name] = info
        return info

    @staticmethod
    def _startup_call(module: Any, name: str, hook: str) -> Any:
        function = getattr(module, hook, None)
        if function is None:
            return None
        try:
            return function()
        except Exception as exc:
            raise PluginError(name, hook, f"{type(exc).__name__}: {exc}") from exc

    # -- calling hooks ----------------------------------------------------------------------------------------
    def hook(self, name: str) -> HookCall:
        """The hook, called only on enabled plugins, each on its own (see HookCall)."""
        if name not in HOOK_NAMES:
            raise AttributeError(f"no hook named {name}")
        return HookCall(self, name)

    def impls(self, hook: str, include_disabled: bool = False) -> list[tuple[str, Any]]:
        """(plugin name, hook implementation) in call order, for enabled plugins (or every installed one)."""
        caller = getattr(self.pm.hook, hook)
        return [(impl.plugin_name, impl) for impl in reversed(caller.get_hookimpls())
                if include_disabled or self.enabled(impl.plugin_name)]

    def call_impl(self, plugin: str, impl: Any, hook: str, kwargs: dict) -> Any:
        """Call one plugin's implementation; any exception becomes a logged, remembered PluginError."""
        try:
            return impl.function(*(kwargs[arg] for arg in impl.argnames))
        except Exception as exc:  # noqa: BLE001 (a plugin bug is reported, named, and contained)
            raise self.record_failure(plugin, hook, exc) from exc

    def record_failure(self, plugin: str, hook: str, exc: Exception) -> PluginError:
        """Log (the traceback once per plugin and hook) and remember a plugin's failure; the error to raise."""
        error = PluginError(plugin, hook, f"{type(exc).__name__}: {exc}")
        first = (plugin, hook) not in self._logged
        self._logged.add((plugin, hook))  # a hook on every page would flood the log
        log.error("%s", error.message, exc_info=exc if first else None)
        self.failures.appendleft(PluginFailure(datetime.now(UTC), plugin, hook, error.message))
        return error

    def call_installed(self, hook: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """A start-up hook on every installed plugin (enabled or not); a plugin that fails is marked broken."""
        results = []
        for plugin, impl in self.impls(hook, include_disabled=True):
            if plugin in self.broken:
                continue
            try:
                results.append((plugin, self.call_impl(plugin, impl, hook, kwargs)))
            except PluginError as error:
                self.broken[plugin] = error.message
        return results

    def mark_broken(self, plugin: str, hook: str, exc: BaseException) -> None:
        """Something the core did with the plugin's answer failed (a blueprint clash, a bad view)."""
        error = PluginError(plugin, hook, f"{type(exc).__name__}: {exc}")
        log.error("%s", error.message, exc_info=exc)
        self.failures.appendleft(PluginFailure(datetime.now(UTC), plugin, hook, error.message))
        self.broken[plugin] = error.message

    # -- state ------------------------------------------------------------------------------------------------
    def read_state(self) -> PluginState:
        """site/plugins.json at the current head, re-read only when its blob changes (one ref read when not)."""
        head = self.store.head()
        state = self._state
        if head == state.revision:
            return state
        blob = self.store.blob_id(head, PLUGINS_FILE) if head else None
        data = state.data if blob == state.blob and state.revision != "unread" else self._parse(blob)
        state = PluginState(head, blob, data)
        self._state = state
        return state

    def _parse(self, blob: str | None) -> dict:
        if not blob:
            return {}
        try:
            data = json.loads(self.store.read_blob(blob))
        except ValueError:
            log.error("%s is not valid JSON: every plugin keeps its default state", PLUGINS_FILE)
            return {}
        return {k: v for k, v in data.items() if isinstance(v, dict)} if isinstance(data, dict) else {}

    def state(self) -> dict:
        """`{name: {"enabled": bool, "settings": {...}}}` from the content repository."""
        return self.read_state().data

    def enabled(self, name: str) -> bool:
        info = self.plugins.get(name)
        if info is None or name in self.broken:
            return False
        entry = self.state().get(name, {})
        value = entry.get("enabled", info.enabled_by_default)
        return value if isinstance(value, bool) else info.enabled_by_default

    def settings(self, name: str) -> dict:
        """The schema's defaults overlaid with what the admin saved (keys the schema no longer has are dropped)."""
        properties = self.plugins[name].settings_schema.get("properties", {})
        saved = self.state().get(name, {}).get("settings", {})
        values = {key: spec["default"] for key, spec in properties.items() if "default" in spec}
        if isinstance(saved, dict):
            values.update({key: value for key, value in saved.items() if key in properties})
        return values

    def disabled_names(self) -> list[str]:
        return [name for name in self.plugins if not self.enabled(name)]

    def document_with(self, name: str, enabled: bool | None, settings: dict | None,
                      state: PluginState | None = None) -> str:
        """The new site/plugins.json text after one change (the caller commits it against state.revision)."""
        document = json.loads(json.dumps((state or self.read_state()).data))
        entry = document.setdefault(name, {})
        if enabled is not None:
            entry["enabled"] = enabled
        if settings is not None:
            entry["settings"] = settings
        return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"

    def history(self, limit: int = 20) -> list[CommitInfo]:
        return file_history(self.store, PLUGINS_FILE, limit)

    # -- state-database tables --------------------------------------------------------------------------------
    def migrate(self, db: Database) -> dict[str, tuple[int, int]]:
        """Run `madang_migrate` for every installed plugin whose tables are older than it declares.

        Returns {plugin: (from, to)} for the plugins migrated. Run at start, after the tables were created."""
        impls = dict(self.impls("madang_migrate", include_disabled=True))
        done: dict[str, tuple[int, int]] = {}
        for name, info in self.plugins.items():
            if name in self.broken:
                continue
            with db.session() as session:
                row = session.get(PluginSchema, name)
                if row is None:  # new to this database: its tables were just created from the models
                    session.add(PluginSchema(name=name, version=info.schema_version))
                    continue
                current = row.version
            if current >= info.schema_version:
                continue
            if name in impls:
                try:
                    self.call_impl(name, impls[name], "madang_migrate", {"db": db, "from_version": current})
                except PluginError as error:
                    self.broken[name] = error.message
                    continue
            with db.session() as session:
                session.get(PluginSchema, name).version = info.schema_version
            done[name] = (current, info.schema_version)
        return done

    def schema_versions(self, db: Database) -> dict[str, int]:
        with db.session() as session:
            return {row.name: row.version for row in session.scalars(select(PluginSchema))}


def guard_socket_handler(host: Callable[[], PluginHost], plugin: str, handler: Callable) -> Callable:
    """The handler, answering False (a refused connection, a False acknowledgement) while the plugin is off."""

    @functools.wraps(handler)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        _forget_routing_failure()
        if not host().enabled(plugin):
            return False
        return handler(*args, **kwargs)

    return guarded


def _forget_routing_failure() -> None:
    """Flask-SocketIO pushes a request context for every event, and routing its path (/socket.io/, no page of
    ours) fails: the NotFound kept on the request holds its traceback, whose frames hold the context. That is a
    reference cycle of some 30 objects per event, freed only by the collector's full passes, whose pauses were the
    messenger's slowest deliveries; dropping it lets reference counting free them at once."""
    from flask import has_request_context, request

    if has_request_context():
        request.routing_exception = None


class PluginSocketIO:
    """What `madang_socketio(socketio)` receives: the app's SocketIO, whose handler registrations are guarded."""

    def __init__(self, socketio: Any, host: PluginHost, plugin: str) -> None:
        self._socketio, self._host, self._plugin = socketio, host, plugin

    def on(self, message: str, namespace: str | None = None) -> Callable[[Callable], Callable]:
        def register(handler: Callable) -> Callable:
            self._socketio.on(message, namespace)(guard_socket_handler(lambda: self._host, self._plugin, handler))
            return handler

        return register

    def event(self, handler: Callable | None = None, namespace: str | None = None) -> Any:
        if handler is None:
            return lambda h: self.on(h.__name__, namespace)(h)
        return self.on(handler.__name__, namespace)(handler)

    def on_event(self, message: str, handler: Callable, namespace: str | None = None) -> None:
        self.on(message, namespace)(handler)

    def __getattr__(self, attr: str) -> Any:
        return getattr(self._socketio, attr)


def file_history(store: ContentStore, path: str, limit: int = 20) -> list[CommitInfo]:
    """The newest commits that changed one file of the content repository (who, when, what)."""
    head = store.head()
    if head is None:
        return []
    return [CommitInfo(c.hexsha, [p.hexsha for p in c.parents], Author(c.author.name, c.author.email),
                       c.authored_datetime, c.message.rstrip("\n"))
            for c in store.repo.iter_commits(head, paths=path, max_count=limit)]


# -- settings schemas -------------------------------------------------------------------------------------------
SETTING_TYPES: dict[str, Any] = {"string": str, "integer": int, "number": (int, float), "boolean": bool}


def check_schema(plugin: str, schema: object) -> None:
    """The settings schema is an object of properties of the supported types (see madang_settings_schema)."""
    if not isinstance(schema, dict) or not isinstance(schema.get("properties", {}), dict):
        raise PluginError(plugin, "madang_settings_schema", "the schema must be {'type': 'object', 'properties'}")
    for key, spec in schema.get("properties", {}).items():
        if not isinstance(spec, dict) or spec.get("type") not in SETTING_TYPES:
            raise PluginError(plugin, "madang_settings_schema",
                              f"the setting '{key}' needs a type among {sorted(SETTING_TYPES)}")
        if "default" in spec and setting_problem(spec, spec["default"]):
            raise PluginError(plugin, "madang_settings_schema", f"the default of '{key}' does not fit its schema")


def setting_problem(spec: dict, value: object) -> tuple[str, dict] | None:
    """Why value does not fit one property's schema, as (code, details), or None when it does."""
    kind = spec.get("type", "string")
    expected = SETTING_TYPES.get(kind, object)
    if not isinstance(value, expected) or (kind in ("integer", "number") and isinstance(value, bool)):
        return "type", {"type": kind}
    if "enum" in spec and value not in spec["enum"]:
        return "enum", {"options": ", ".join(str(option) for option in spec["enum"])}
    if kind in ("integer", "number"):
        if "minimum" in spec and value < spec["minimum"]:
            return "minimum", {"limit": spec["minimum"]}
        if "maximum" in spec and value > spec["maximum"]:
            return "maximum", {"limit": spec["maximum"]}
    if kind == "string":
        if "minLength" in spec and len(value) < spec["minLength"]:
            return "min_length", {"limit": spec["minLength"]}
        if "maxLength" in spec and len(value) > spec["maxLength"]:
            return "max_length", {"limit": spec["maxLength"]}
        if "pattern" in spec and not re.search(spec["pattern"], value):
            return "pattern", {"pattern": spec["pattern"]}
    return None


PROBLEM_TEXT = {"type": "must be of type {type}", "enum": "must be one of: {options}",
                "minimum": "must be at least {limit}", "maximum": "must be at most {limit}",
                "min_length": "must be at least {limit} characters long",
                "max_length": "must be at most {limit} characters long", "pattern": "must match {pattern}",
                "unknown": "is not a setting of this plugin"}


def validate_settings(schema: dict, settings: object) -> dict:
    """Submitted settings (API): an object whose every key is a declared setting with a fitting value."""
    if not isinstance(settings, dict):
        raise InvalidInput("'settings' must be an object.")
    properties = schema.get("properties", {})
    for key, value in settings.items():
        problem = ("unknown", {}) if key not in properties else setting_problem(properties[key], value)
        if problem:
            raise InvalidInput(f"The setting '{key}' {PROBLEM_TEXT[problem[0]].format(**problem[1])}.",
                               setting=key, problem=problem[0])
    return settings


def settings_from_form(schema: dict, form: Any) -> tuple[dict, dict[str, tuple[str, dict]]]:
    """Settings from an HTML form (every field is text; an unchecked box is absent), and the problems by key."""
    values: dict = {}
    problems: dict[str, tuple[str, dict]] = {}
    for key, spec in schema.get("properties", {}).items():
        kind, raw = spec.get("type", "string"), form.get(key)
        if kind == "boolean":
            values[key] = raw in ("1", "on", "true", "yes")
            continue
        raw = (raw or "").strip() if kind != "string" else (raw or "")
        if "enum" in spec:
            chosen = [option for option in spec["enum"] if str(option) == raw]
            if not chosen:
                problems[key] = ("enum", {"options": ", ".join(str(o) for o in spec["enum"])})
                continue
            value: Any = chosen[0]
        elif kind == "integer":
            try:
                value = int(raw)
            except ValueError:
                problems[key] = ("type", {"type": kind})
                continue
        elif kind == "number":
            try:
                value = float(raw)
            except ValueError:
                problems[key] = ("type", {"type": kind})
                continue
            value = int(value) if value.is_integer() and "." not in raw else value
        else:
            value = raw
        problem = setting_problem(spec, value)
        if problem:
            problems[key] = problem
        else:
            values[key] = value
    return values, problems


