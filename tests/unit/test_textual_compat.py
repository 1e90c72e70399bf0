"""The Textual private names wms_tui/textual_compat.py relies on are still there, and nothing
else in the project touches Textual privates.

Textual is pinned exactly; on an upgrade these tests say which private name went away or
changed, instead of the app failing somewhere in a pilot test or on a terminal.
"""

from __future__ import annotations

import ast
import asyncio
import hashlib
import importlib
import importlib.util
import inspect
import pkgutil
from functools import cached_property
from pathlib import Path
from typing import Any

import pytest
import textual
from textual.app import App
from textual.geometry import Region
from textual.widgets import Static

ROOT = Path(__file__).resolve().parents[2]
COMPAT = ROOT / "wms_tui" / "textual_compat.py"
VERSION = textual.__version__

# (module, attribute path, parameters it must accept besides self): everything compat calls
# or overrides that Textual does not document.
SIGNATURES = [
    ("textual._compositor", "CompositorUpdate.render_segments", ["console"]),
    ("textual._compositor", "LayoutUpdate.__init__", ["strips", "region"]),
    ("textual._compositor", "Compositor.render_update", ["full", "screen_stack"]),
    ("textual._xterm_parser", "XTermParser.__init__", ["debug"]),
    ("textual._xterm_parser", "XTermParser.feed", ["data"]),
    ("textual._xterm_parser", "XTermParser.tick", []),
    ("textual.app", "App._display", ["screen", "renderable"]),
    ("textual.app", "App._handle_exception", ["error"]),
    ("textual.app", "App._set_pointer_shape", ["shape"]),
    ("textual.app", "App._close_messages_no_wait", []),
    ("textual.drivers.linux_driver", "LinuxDriver.run_input_thread", []),
    ("textual.drivers.linux_driver", "LinuxDriver._run_input_thread", []),
    ("textual._compositor", "Compositor._render_chops", ["crop", "is_rendered_line"]),
    ("textual.screen", "Screen._compositor_refresh", []),
    ("textual.app", "App._update_mouse_over", ["screen"]),
    ("textual.css.stylesheet", "Stylesheet._parse_rules",
     ["css", "read_from", "is_default_rules", "tie_breaker", "scope"]),
]
# Attributes every App has once constructed, read or set by HookedApp and driver_of.
APP_ATTRIBUTES = ["_running", "_closed", "_driver", "_batch_count", "_return_code",
                  "_exception", "_exit_renderables", "_exception_event", "_background_screens"]
# Underscored attribute names of Textual objects that only textual_compat may use.
PRIVATE_NAMES = frozenset({*APP_ATTRIBUTES, "_compositor", "_debug", "_display",
                           "_handle_exception", "_set_pointer_shape", "_close_messages_no_wait",
                           "_run_input_thread", "_compositor_refresh", "_render_chops",
                           "_dirty_regions", "_dirty_widgets", "_update_mouse_over",
                           "_parse_rules", "_variables", "_invalid_css", "_rules", "_rules_map",
                           "_require_parse", "_timeout_time"})


def broken(what: str) -> str:
    return f"textual {VERSION}: {what}; wms_tui/textual_compat.py must be updated"


def lookup(module_name: str, path: str) -> Any:
    try:
        found: Any = importlib.import_module(module_name)
    except ImportError:
        pytest.fail(broken(f"module {module_name} no longer exists"))
    for part in path.split("."):
        if not hasattr(found, part):
            pytest.fail(broken(f"{path} ({module_name}) no longer exists"))
        found = getattr(found, part)
    return found


@pytest.mark.parametrize(("module_name", "path", "params"), SIGNATURES,
                         ids=[path for _, path, _ in SIGNATURES])
def test_private_function_is_there_with_its_parameters(module_name: str, path: str,
                                                       params: list[str]) -> None:
    function = lookup(module_name, path)
    accepted = list(inspect.signature(function).parameters)
    missing = [name for name in params if name not in accepted]
    assert not missing, broken(
        f"{path} no longer takes {', '.join(missing)} (it takes {', '.join(accepted)})")


@pytest.mark.parametrize("name", APP_ATTRIBUTES)
def test_app_attribute_is_there(name: str) -> None:
    app = App[None]()
    assert hasattr(app, name), broken(f"App.{name} no longer exists")


def test_screen_driver_and_layout_internals_are_there() -> None:
    from textual.drivers.headless_driver import HeadlessDriver
    from textual.screen import Screen

    assert hasattr(Screen(), "_compositor"), broken("Screen._compositor no longer exists")

    async def make_driver() -> HeadlessDriver:
        return HeadlessDriver(App[None](), debug=True)

    driver = asyncio.run(make_driver())
    assert getattr(driver, "_debug", None) is True, broken("Driver._debug no longer exists")
    layout = lookup("textual._compositor", "LayoutUpdate")([], Region())
    assert hasattr(layout, "strips") and hasattr(layout, "region"), broken(
        "LayoutUpdate has no .strips and .region (ScreenShadow reads them)")


def test_the_parser_says_when_it_waits_for_a_quiet_terminal() -> None:
    """run_input_thread waits with no timeout unless the parser holds a lone ESC."""
    from wms_tui.textual_compat import xterm_parser

    parser = xterm_parser()
    assert parser._timeout_time is None, broken("XTermParser has no _timeout_time")
    list(parser.feed("\x1b"))
    assert parser._timeout_time is not None, broken(
        "XTermParser._timeout_time is not set while an ESC waits for its timeout")


def test_run_input_thread_is_still_the_version_it_was_copied_from() -> None:
    from textual.drivers.linux_driver import LinuxDriver

    from wms_tui.textual_compat import RUN_INPUT_THREAD_COPIED_FROM, RUN_INPUT_THREAD_SHA256

    source = inspect.getsource(LinuxDriver.run_input_thread)
    digest = hashlib.sha256(source.encode()).hexdigest()
    assert digest == RUN_INPUT_THREAD_SHA256, (
        f"textual {VERSION}: LinuxDriver.run_input_thread has changed since textual "
        f"{RUN_INPUT_THREAD_COPIED_FROM}; re-copy run_input_thread from textual {VERSION} into "
        f"wms_tui/textual_compat.py (keeping its changes: on_read, end-of-file is a hang-up, "
        f"errors='replace') and set RUN_INPUT_THREAD_COPIED_FROM = {VERSION!r}, "
        f"RUN_INPUT_THREAD_SHA256 = {digest!r}. Upstream now:\n{source}")
    # The override only runs while the driver's input thread still calls it.
    assert "self.run_input_thread()" in inspect.getsource(LinuxDriver._run_input_thread), broken(
        "LinuxDriver._run_input_thread no longer calls run_input_thread()")
    assert "self._run_input_thread" in inspect.getsource(LinuxDriver.start_application_mode), (
        broken("LinuxDriver no longer starts its input thread on _run_input_thread"))


def test_stylesheet_reparse_is_still_the_version_it_was_copied_from() -> None:
    from textual.css.stylesheet import Stylesheet

    from wms_tui.textual_compat import STYLESHEET_REPARSE_SHA256

    source = inspect.getsource(Stylesheet.reparse)
    digest = hashlib.sha256(source.encode()).hexdigest()
    assert digest == STYLESHEET_REPARSE_SHA256, broken(
        "Stylesheet.reparse has changed; re-copy it into SharedStylesheet.reparse and set "
        f"STYLESHEET_REPARSE_SHA256 = {digest!r}. Upstream now:\n{source}")
    stylesheet = Stylesheet()
    for name in ("_variables", "_invalid_css", "_rules", "_rules_map", "_require_parse"):
        assert hasattr(stylesheet, name), broken(f"Stylesheet.{name} no longer exists")


def test_screen_internals_changed_rows_reads_are_there() -> None:
    from textual._compositor import Compositor
    from textual.screen import Screen

    screen = Screen[None]()
    assert isinstance(getattr(screen, "_dirty_widgets", None), set), broken(
        "Screen._dirty_widgets is no longer a set")
    assert isinstance(getattr(Compositor(), "_dirty_regions", None), set), broken(
        "Compositor._dirty_regions is no longer a set")
    # HookedScreen replaces _compositor_refresh: it must still be how a screen repaints.
    assert "self._compositor_refresh()" in inspect.getsource(Screen._on_timer_update), broken(
        "Screen._on_timer_update no longer repaints through _compositor_refresh()")
    assert "self._compositor_refresh()" in inspect.getsource(Screen._refresh_layout), broken(
        "Screen._refresh_layout no longer repaints through _compositor_refresh()")


def test_textual_still_calls_the_hooks_compat_overrides() -> None:
    from textual import screen

    display = inspect.getsource(App._display)
    assert "isinstance(renderable, CompositorUpdate)" in display, broken(
        "App._display no longer treats a CompositorUpdate specially (CellChanges is one)")
    assert "render_segments(" in display, broken(
        "App._display no longer writes a CompositorUpdate by its render_segments()")
    assert "._set_pointer_shape(" in inspect.getsource(screen), broken(
        "Screen no longer sets pointer shapes through App._set_pointer_shape")


def test_compat_functions_work_on_a_running_app() -> None:
    """full_frame, driver_of and xterm_parser on a real app; a handler's error goes to
    crash_note; one read's keys can carry a burst number."""
    from textual import events

    from wms_tui.screens.bursts import burst_of, mark_bursts
    from wms_tui.textual_compat import HookedApp, LayoutUpdate, driver_of, full_frame, xterm_parser

    notes: list[str] = []

    class Probe(HookedApp):
        def compose(self) -> Any:
            yield Static("HELLO")

        def crash_note(self, error: Exception) -> str:
            notes.append(str(error))
            return "note"

        def on_key(self, event: events.Key) -> None:
            raise RuntimeError(event.key)

    async def main() -> None:
        app = Probe()
        with pytest.raises(RuntimeError, match="x"):
            async with app.run_test(size=(20, 4)) as pilot:
                frame = full_frame(app)
                assert isinstance(frame, LayoutUpdate)
                assert frame.region.width == 20 and len(frame.strips) == 4
                assert "HELLO" in "".join(s.text for line in frame.strips for s in line)
                driver = driver_of(app)
                assert driver is not None, broken("driver_of(app) is None on a running app")
                batch = list(xterm_parser().feed("xy"))
                keys = [event for event in batch if isinstance(event, events.Key)]
                assert len(keys) == len(batch) == 2, broken("XTermParser.feed gives no keys")
                mark_bursts(batch)
                assert burst_of(keys[0]) == burst_of(keys[1]) > 0, (
                    f"textual {VERSION}: a Key event takes no extra attribute; "
                    "wms_tui/screens/bursts.py must number bursts another way")
                for event in batch:
                    event.set_sender(app)
                    driver.send_message(event)
                await pilot.pause()
        assert notes[:1] == ["x"], broken("App._handle_exception is no longer called on an error")
        assert app.return_code == 1

    asyncio.run(main())


def python_files() -> list[Path]:
    files = [*(ROOT / "wms_tui").rglob("*.py"), *(ROOT / "tests").rglob("*.py"),
             *(ROOT / "bench").rglob("*.py"), ROOT / "cli.py"]
    return sorted(p for p in files if p.exists() and p not in (COMPAT, Path(__file__).resolve()))


def private_uses(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        line = getattr(node, "lineno", 0)
        modules: list[str] = []
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            modules = [node.module]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            modules = [node.value] if node.value.startswith("textual.") else []
        for module in modules:
            parts = module.split(".")
            if parts[0] == "textual" and any(part.startswith("_") for part in parts):
                found.append(f"{path.relative_to(ROOT)}:{line}: {module}")
        name = ""
        if isinstance(node, ast.Attribute):
            name = node.attr
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            name = node.name
        if name in PRIVATE_NAMES:
            found.append(f"{path.relative_to(ROOT)}:{line}: {name}")
    return found


def test_only_textual_compat_touches_textual_privates() -> None:
    found = [use for path in python_files() for use in private_uses(path)]
    assert found == [], (
        "Textual private names used outside wms_tui/textual_compat.py; add a function there "
        "and call it instead:\n" + "\n".join(found))


def textual_classes() -> list[type]:
    """The classes wms_tui defines on top of Textual's, from every module that imports it."""
    import wms_tui

    classes = []
    for info in pkgutil.walk_packages(wms_tui.__path__, "wms_tui."):
        if ".migrations" in info.name or info.name == "wms_tui.textual_compat":
            continue
        spec = importlib.util.find_spec(info.name)
        origin = spec.origin if spec else None
        if not origin or not origin.endswith(".py") or "textual" not in Path(origin).read_text():
            continue
        module = importlib.import_module(info.name)
        classes += [value for value in vars(module).values()
                    if isinstance(value, type) and value.__module__ == info.name
                    and any(base.__module__.startswith("textual.") for base in value.__mro__)]
    return classes


def test_no_class_outside_compat_overrides_an_underscored_textual_method() -> None:
    clashes = []
    for cls in textual_classes():
        textual_bases = [b for b in cls.__mro__ if b.__module__.startswith("textual.")]
        for name, value in vars(cls).items():
            # Methods only: Textual's metaclass sets underscored class attributes on every class.
            method = inspect.isfunction(value) or isinstance(value, property | cached_property)
            if method and name.startswith("_") and not name.startswith("__") and any(
                    name in vars(base) for base in textual_bases):
                clashes.append(f"{cls.__module__}.{cls.__qualname__}.{name}")
    assert clashes == [], (
        "these override Textual private methods; do it in wms_tui/textual_compat.py:\n"
        + "\n".join(clashes))


def hooked_app() -> Any:
    """Two one-row Statics on the HookedApp and HookedScreen the RF app is built on."""
    from wms_tui.textual_compat import HookedApp, HookedScreen

    class Probe(HookedApp):
        CSS = "Static { height: 1; }"

        def on_mount(self) -> None:
            screen = HookedScreen[None]()
            self.push_screen(screen)
            screen.mount(Static("HELLO"), Static("WORLD"))

    return Probe()


def test_changed_rows_renders_whole_rows_of_what_changed_once() -> None:
    from wms_tui.textual_compat import changed_rows

    async def main() -> None:
        app = hooked_app()
        async with app.run_test(size=(20, 4)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert changed_rows(screen) is None
            screen._compositor._dirty_regions.add(Region(3, 1, 2, 1))
            rows = changed_rows(screen)
            assert rows is not None and rows.region == Region(0, 1, 20, 1)
            assert "".join(s.text for line in rows.strips for s in line).rstrip() == "WORLD"
            assert not screen._compositor._dirty_regions

    asyncio.run(main())


def test_a_second_app_parses_no_css_and_is_styled_the_same(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import textual.css.parse as parse_module
    import textual.css.stylesheet as stylesheet_module

    async def heights() -> list[int]:
        app = hooked_app()
        async with app.run_test(size=(20, 4)) as pilot:
            await pilot.pause()
            return [widget.size.height for widget in app.screen.query(Static)]

    assert asyncio.run(heights()) == [1, 1]
    parsed: list[str] = []
    real_parse = parse_module.parse

    def counting_parse(*args: Any, **kwargs: Any) -> Any:
        parsed.append(str(args[2]))
        return real_parse(*args, **kwargs)

    monkeypatch.setattr(stylesheet_module, "parse", counting_parse)
    assert asyncio.run(heights()) == [1, 1]
    assert parsed == []
