"""The plugin host: finds plugins, keeps which are enabled, and calls only their hooks.

Built-in plugins (`plugins/<name>/plugin.py`) and third-party ones (entry-point group `madang.plugins`) are
registered through the same path. Which plugins are enabled, and their settings, is a file in the content
repository (`site/plugins.json`): enabling one is a commit (who, when), and every worker process notices the new
blob id on its next request, so it takes effect at once without a restart.
"""
from __future__ import annotations

import importlib
import json
import logging
import pkgutil
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType

import pluggy

from . import hookspecs
from .store import ContentStore

log = logging.getLogger("madang.plugins")
PLUGINS_FILE = "site/plugins.json"
ENTRY_POINT_GROUP = "madang.plugins"
BUILTIN_PACKAGE = "plugins"


@dataclass
class PluginInfo:
    name: str
    title: dict | str
    description: dict | str
    version: str
    module: ModuleType
    builtin: bool
    enabled_by_default: bool = True
    settings_schema: dict = field(default_factory=dict)


class PluginHost:
    def __init__(self, store: ContentStore, builtin_dir: Path | None = None, extra_modules: tuple = ()) -> None:
        self.store = store
        self.pm = pluggy.PluginManager("madang")
        self.pm.add_hookspecs(hookspecs)
        self.plugins: dict[str, PluginInfo] = {}
        self._state: tuple[str | None, dict] = ("unread", {})
        self._discover(builtin_dir, extra_modules)

    # -- discovery --------------------------------------------------------------------------------------------
    def _discover(self, builtin_dir: Path | None, extra_modules: tuple) -> None:
        if builtin_dir is not None and builtin_dir.is_dir():
            for module_info in sorted(pkgutil.iter_modules([str(builtin_dir)]), key=lambda m: m.name):
                if module_info.ispkg and (builtin_dir / module_info.name / "plugin.py").exists():
                    self.add(importlib.import_module(f"{BUILTIN_PACKAGE}.{module_info.name}.plugin"), True)
        for entry in entry_points(group=ENTRY_POINT_GROUP):
            try:
                self.add(entry.load(), False)
            except Exception:  # a broken third-party plugin must not take the site down
                log.exception("could not load plugin %s", entry.name)
        for module in extra_modules:
            self.add(module, False)

    def add(self, module: ModuleType, builtin: bool) -> PluginInfo:
        info_impl = getattr(module, "madang_plugin_info", None)
        meta = info_impl() if info_impl else {}
        name = meta.get("name") or module.__name__.rsplit(".", 2)[-2 if module.__name__.endswith(".plugin") else -1]
        schema_impl = getattr(module, "madang_settings_schema", None)
        info = PluginInfo(name=name, title=meta.get("title", name), description=meta.get("description", ""),
                          version=str(meta.get("version", "0")), module=module, builtin=builtin,
                          enabled_by_default=bool(meta.get("enabled_by_default", True)),
                          settings_schema=schema_impl() if schema_impl else {})
        self.pm.register(module, name=name)
        self.plugins[name] = info
        return info

    # -- state ------------------------------------------------------------------------------------------------
    def state(self) -> dict:
        """`{name: {"enabled": bool, "settings": {...}}}` from the content repository, re-read when it changes."""
        blob = self.store.blob_id(None, PLUGINS_FILE)
        if blob != self._state[0]:
            data = json.loads(self.store.read_blob(blob)) if blob else {}
            self._state = (blob, data if isinstance(data, dict) else {})
        return self._state[1]

    def enabled(self, name: str) -> bool:
        info = self.plugins.get(name)
        if info is None:
            return False
        entry = self.state().get(name, {})
        return bool(entry.get("enabled", info.enabled_by_default))

    def settings(self, name: str) -> dict:
        info = self.plugins[name]
        defaults = {key: spec.get("default") for key, spec in
                    info.settings_schema.get("properties", {}).items() if "default" in spec}
        return {**defaults, **self.state().get(name, {}).get("settings", {})}

    def disabled_names(self) -> list[str]:
        return [name for name in self.plugins if not self.enabled(name)]

    def hook(self, name: str):
        """The hook caller restricted to enabled plugins."""
        disabled = [self.plugins[n].module for n in self.disabled_names()]
        caller = getattr(self.pm.hook, name)
        return self.pm.subset_hook_caller(name, remove_plugins=disabled) if disabled else caller

    def document_with(self, name: str, enabled: bool | None, settings: dict | None) -> dict:
        """The new site/plugins.json content after one change (the caller commits it)."""
        state = json.loads(json.dumps(self.state()))
        entry = state.setdefault(name, {})
        if enabled is not None:
            entry["enabled"] = enabled
        if settings is not None:
            entry["settings"] = settings
        return state
