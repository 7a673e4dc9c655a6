"""Android's own shell tools on a simulated phone: ``am`` and ``content`` (from
:mod:`runner.sim.intents`), ``pm``, ``monkey``, ``dumpsys``, ``wm``,
``ime``, ``settings``, ``input``, ``app_process``, ``uiautomator``, ``screencap``.

Output formats follow what clients parse: adbutils' ``app_info`` (``pm path`` then ``versionName=``,
``versionCode=``, ``PackageSignatures{...[...]}``, ``firstInstallTime=``), ``app_current``
(``mCurrentFocus=Window{... pkg/activity}``, ``mResumedActivity``, ``ACTIVITY pkg/act ... pid=N``),
``window_size`` (``Physical size: WxH``, ``DisplayViewport{... orientation=0 ...}``),
``is_screen_on`` (``mHoldingDisplaySuspendBlocker=true``), uiautomator2's IME check
(``ime list -s -a``: only the stock keyboard, so uiautomator2 types through its clipboard RPCs).
"""

from __future__ import annotations

import trio

from runner.sim.filesystem import FsError
from runner.sim.hierarchy import SCREEN_H, SCREEN_W, dump_xml
from runner.sim.intents import am, content
from runner.sim.phone import DEFAULT_IME, KEYCODES
from runner.sim.render import render_png
from runner.sim.shell import CommandFn, Invocation

_SYSTEM_PACKAGES = ("android", "com.android.settings", "com.android.systemui",
                    "com.android.shell", "com.google.android.inputmethod.latin",
                    "com.google.android.gms", "com.android.providers.media")  # fmt: skip
_UIA_MAIN_CLASSES = ("com.wetest.uia2.Main",)


def _pkg_path(pkg: str) -> str:
    return f"/data/app/~~sim{len(pkg):02d}==/{pkg}-1/base.apk"


async def monkey(inv: Invocation) -> int:
    args = inv.argv[1:]
    packages = [args[i + 1] for i, a in enumerate(args[:-1]) if a == "-p"]
    phone = inv.phone
    with phone.lock:
        ok = bool(packages) and all(p in phone.apps for p in packages)
        if ok:
            phone.start_app(packages[0])
    for a in args:
        inv.out(f"  bash arg: {a}\n")
    if not ok:
        inv.err("** No activities found to run, monkey aborted.\n")
        return 252
    inv.out("args: " + str(args) + '\n arg: "-p"\n')
    inv.out(
        "Events injected: 1\n## Network stats: elapsed time=14ms (0ms mobile, 0ms wifi, "
        "14ms not connected)\n"
    )
    return 0


# ------------------------------------------------------------------------------------ pm


async def pm(inv: Invocation) -> int:
    args = inv.argv[1:]
    if not args:
        inv.err("usage: pm [list|path|install|uninstall|clear|grant] ...\n")
        return 1
    phone = inv.phone
    sub, rest = args[0], args[1:]
    with phone.lock:
        apps = dict(phone.apps)
        if sub == "list" and rest[:1] == ["packages"]:
            opts = [a for a in rest[1:] if a.startswith("-")]
            filt = [a for a in rest[1:] if not a.startswith("-")]
            names = [(p, a.system) for p, a in apps.items()]
            names += [(p, True) for p in _SYSTEM_PACKAGES]
            if "-3" in opts:
                names = [n for n in names if not n[1]]
            if "-s" in opts:
                names = [n for n in names if n[1]]
            for pkg, _ in sorted(names):
                if not filt or filt[0] in pkg:
                    prefix = f"package:{_pkg_path(pkg)}=" if "-f" in opts else "package:"
                    inv.out(f"{prefix}{pkg}\n")
            return 0
        if sub == "path" and rest:
            if rest[0] in apps:
                inv.out(f"package:{_pkg_path(rest[0])}\n")
                return 0
            return 1
        if sub == "clear" and rest:
            if rest[-1] in apps:
                phone.force_stop(rest[-1])
                inv.out("Success\n")
                return 0
            inv.out("Failed\n")
            return 1
        if sub == "uninstall" and rest:
            if phone.uninstall(rest[-1]):
                inv.out("Success\n")
                return 0
            inv.out("Failure [DELETE_FAILED_INTERNAL_ERROR]\n")
            return 1
        if sub in ("grant", "revoke", "disable-user", "enable"):
            return 0
        if sub == "install":
            inv.out("Failure [INSTALL_FAILED_INVALID_APK: simulated phones install nothing]\n")
            return 1
    inv.err(f"Unknown command: {sub}\n")
    return 1


async def cmd(inv: Invocation) -> int:
    if len(inv.argv) >= 2 and inv.argv[1] == "package":
        inv.argv = ["pm", *inv.argv[2:]]
        return await pm(inv)
    if len(inv.argv) >= 2 and inv.argv[1] in ("activity", "media", "media_session"):
        return 0
    inv.err(f"cmd: Can't find service: {inv.argv[1] if len(inv.argv) > 1 else ''}\n")
    return 20


# ------------------------------------------------------------------------------- dumpsys


def _dumpsys_package(inv: Invocation, pkg: str) -> None:
    app = inv.phone.apps.get(pkg)
    inv.out("Activity Resolver Table:\n  Non-Data Actions:\n\nKey Set Manager:\n\nPackages:\n")
    if app is None:
        return
    inv.out(
        f"  Package [{pkg}] (5f1c0de):\n"
        f"    userId=10{123 + len(pkg)}\n"
        f"    pkg=Package{{8a2b3c4 {pkg}}}\n"
        f"    codePath={_pkg_path(pkg).rsplit('/', 1)[0]}\n"
        f"    versionCode={app.version_code} minSdk=21 targetSdk=33\n"
        f"    versionName={app.version_name}\n"
        "    splits=[base]\n"
        "    apkSigningVersion=2\n"
        "    flags=[ HAS_CODE ALLOW_CLEAR_USER_DATA ALLOW_BACKUP ]\n"
        f"    pkgFlags=[ {'SYSTEM ' if app.system else ''}HAS_CODE ALLOW_CLEAR_USER_DATA ALLOW_BACKUP ]\n"
        "    timeStamp=2024-01-15 10:20:30\n"
        "    firstInstallTime=2024-01-15 10:20:31\n"
        "    lastUpdateTime=2024-01-15 10:20:31\n"
        "    signatures=PackageSignatures{4a5b6c7 version:2, signatures:[7c9d1e2f], "
        "past signatures:[]}\n"
        "    installPermissionsFixed=true\n"
        "    User 0: ceDataInode=123456 installed=true hidden=false suspended=false "
        "stopped=false notLaunched=false enabled=0 instant=false virtual=false\n"
        "      runtime permissions:\n"
        "        android.permission.CAMERA: granted=true\n"
        "        android.permission.READ_MEDIA_IMAGES: granted=true\n"
        "        android.permission.READ_MEDIA_VIDEO: granted=true\n"
    )


async def dumpsys(inv: Invocation) -> int:
    args = inv.argv[1:]
    phone = inv.phone
    service = args[0] if args else ""
    with phone.lock:
        pkg, act = phone.current()
        screen_on = phone.screen_on
        if service == "package" and len(args) > 1:
            _dumpsys_package(inv, args[1])
        elif service == "window":
            inv.out(
                "WINDOW MANAGER WINDOWS (dumpsys window windows)\n"
                f"  Window #0 Window{{3e1a2b4 u0 {pkg}/{act}}}:\n"
                f"  mCurrentFocus=Window{{3e1a2b4 u0 {pkg}/{act}}}\n"
                f"  mFocusedApp=ActivityRecord{{9f8e7d6 u0 {pkg}/{act} t42}}\n"
            )
        elif service == "activity":
            what = args[1] if len(args) > 1 else "activities"
            if what == "top":
                inv.out(
                    f"TASK 42:{pkg} id=42 userId=0\n"
                    f"  ACTIVITY {pkg}/{act} 9f8e7d6 pid={10000 + len(pkg)}\n"
                )
            else:
                inv.out(
                    "ACTIVITY MANAGER ACTIVITIES (dumpsys activity activities)\n"
                    f"  mResumedActivity: ActivityRecord{{9f8e7d6 u0 {pkg}/{act} t42}}\n"
                    f"  ResumedActivity: ActivityRecord{{9f8e7d6 u0 {pkg}/{act} t42}}\n"
                )
        elif service == "power":
            inv.out(
                "POWER MANAGER (dumpsys power)\n"
                f"  mWakefulness={'Awake' if screen_on else 'Asleep'}\n"
                f"  mHoldingDisplaySuspendBlocker={'true' if screen_on else 'false'}\n"
                f"  Display Power: state={'ON' if screen_on else 'OFF'}\n"
            )
        elif service == "display":
            inv.out(
                "DISPLAY MANAGER (dumpsys display)\n"
                "  mDefaultViewport=DisplayViewport{type=INTERNAL, valid=true, isActive=true, "
                "displayId=0, uniqueId='local:4619827259835644672', physicalPort=0, "
                f"orientation=0, logicalFrame=Rect(0, 0 - {SCREEN_W}, {SCREEN_H}), "
                f"physicalFrame=Rect(0, 0 - {SCREEN_W}, {SCREEN_H}), "
                f"deviceWidth={SCREEN_W}, deviceHeight={SCREEN_H}}}\n"
            )
        elif service == "battery":
            inv.out(
                "Current Battery Service state:\n  AC powered: false\n  USB powered: true\n"
                "  Wireless powered: false\n  Max charging current: 500000\n"
                "  Max charging voltage: 5000000\n  Charge counter: 3500000\n  status: 2\n"
                "  health: 2\n  present: true\n  level: 87\n  scale: 100\n"
                "  voltage: 4200\n  temperature: 300\n  technology: Li-ion\n"
            )
        elif service == "input_method":
            ime = phone.settings.get(("secure", "default_input_method"), DEFAULT_IME)
            inv.out(f"  mCurMethodId={ime}\n  mInputShown=false\n")
        else:
            inv.err(f"Can't find service: {service}\n")
            return 0
    return 0


# ------------------------------------------------------------------------- wm, ime, settings


async def wm(inv: Invocation) -> int:
    sub = inv.argv[1] if len(inv.argv) > 1 else ""
    if sub == "size":
        inv.out(f"Physical size: {SCREEN_W}x{SCREEN_H}\n")
    elif sub == "density":
        inv.out("Physical density: 420\n")
    else:
        inv.err(f"Error: unknown command '{sub}'\n")
        return 1
    return 0


async def ime(inv: Invocation) -> int:
    args = inv.argv[1:]
    if args[:1] == ["list"]:
        inv.out(f"{DEFAULT_IME}\n" if "-s" in args else f"{DEFAULT_IME}:\n  mId={DEFAULT_IME}\n")
        return 0
    if args[:1] in (["enable"], ["set"]) and len(args) > 1:
        if args[1] != DEFAULT_IME:
            inv.err(f"Unknown input method {args[1]} cannot be {args[0]}d for user #0\n")
            return 255
        inv.out(f"Input method {args[1]} selected for user #0\n")
        return 0
    return 0


async def settings(inv: Invocation) -> int:
    args = inv.argv[1:]
    phone = inv.phone
    if args[:1] == ["--user"]:
        args = args[2:]
    with phone.lock:
        if len(args) >= 3 and args[0] == "get":
            inv.out(phone.settings.get((args[1], args[2]), "null") + "\n")
            return 0
        if len(args) >= 4 and args[0] == "put":
            phone.settings[(args[1], args[2])] = args[3]
            return 0
        if len(args) >= 3 and args[0] == "delete":
            phone.settings.pop((args[1], args[2]), None)
            return 0
        if len(args) >= 2 and args[0] == "list":
            for (ns, key), value in sorted(phone.settings.items()):
                if ns == args[1]:
                    inv.out(f"{key}={value}\n")
            return 0
    inv.err("usage:  settings [--user <USER_ID> | current] get namespace key\n")
    return 1


# --------------------------------------------------------------------------------- input


def keycode(name: str) -> int | None:
    """Android key code of ``4``, ``BACK`` or ``KEYCODE_BACK``; None if unknown."""
    if name.isdigit():
        return int(name)
    return KEYCODES.get(name.upper().removeprefix("KEYCODE_"))


async def input_(inv: Invocation) -> int:
    args = inv.argv[1:]
    if args and args[0] in ("touchscreen", "touchpad", "keyboard", "mouse"):
        args = args[1:]
    if args[:1] == ["-d"]:
        args = args[2:]
    phone = inv.phone
    sub, rest = (args[0], args[1:]) if args else ("", [])
    with phone.lock:
        if sub == "keyevent":
            for name in rest:
                if name.startswith("--"):
                    continue
                code = keycode(name)
                if code is None:
                    inv.err(f"Error: Unknown keycode: {name}\n")
                    return 1
                phone.press_key(code)
            return 0
        if sub == "tap" and len(rest) == 2:
            try:
                phone.tap(float(rest[0]), float(rest[1]))
            except ValueError:
                inv.err(f"Error: Invalid arguments for command: {sub}\n")
                return 1
            return 0
        if sub == "text" and rest:
            phone.type_text(" ".join(rest).replace("%s", " "))
            return 0
        if sub in ("swipe", "draganddrop") and len(rest) >= 4:
            try:
                x1, y1, x2, y2 = (float(v) for v in rest[:4])
            except ValueError:
                inv.err(f"Error: Invalid arguments for command: {sub}\n")
                return 1
            phone.swipe(x1, y1, x2, y2)
            return 0
    inv.err("Usage: input [<source>] [-d DISPLAY_ID] <command> [<arg>...]\n")
    return 1


# -------------------------------------------------------------------- processes and screens


async def app_process(inv: Invocation) -> int:
    """``CLASSPATH=/data/local/tmp/u2.jar app_process / com.wetest.uia2.Main -p 9008``: runs the
    uiautomator server until the adb client closes the stream (or the server is killed)."""
    phone = inv.phone
    main = next((a for a in inv.argv if a in _UIA_MAIN_CLASSES), None)
    jar = inv.env.get("CLASSPATH", "")
    if main is None or phone.fs.stat(jar) is None:
        inv.err(
            f'Exception in thread "main" java.lang.ClassNotFoundException: {main or inv.argv[-1]}\n'
        )
        return 1
    with trio.CancelScope() as scope:
        if not phone.start_uiautomator(scope):
            inv.err(
                "java.lang.IllegalStateException: UiAutomationService "
                "android.accessibilityservice.IAccessibilityServiceClient$Stub$Proxy@5deffd5"
                "already registered!\n"
            )
            return 1
        try:
            inv.out("[server] INFO: [UiAutomator2Server] Starting Server\n")
            await inv.flush()
            await inv.wait_hangup()
        finally:
            phone.stop_uiautomator(scope)
    return 137 if scope.cancelled_caught else 0


async def uiautomator(inv: Invocation) -> int:
    args = inv.argv[1:]
    if args[:1] != ["dump"]:
        inv.err("Usage: uiautomator <subcommand> [options]\n")
        return 1
    paths = [a for a in args[1:] if not a.startswith("--")]
    target = paths[0] if paths else "/sdcard/window_dump.xml"
    phone = inv.phone
    with phone.lock:
        xml = dump_xml(phone.screen())
        try:
            phone.fs.write(target, xml.encode())
        except FsError as e:
            inv.err(f"ERROR: could not write {target}: {e}\n")
            return 1
    inv.out(f"UI hierchary dumped to: {target}\n")
    return 0


async def screencap(inv: Invocation) -> int:
    phone = inv.phone
    with phone.lock:
        png = render_png(phone.screen())
    files = [a for a in inv.argv[1:] if not a.startswith("-")]
    if files:
        with phone.lock:
            phone.fs.write(files[0], png)
    else:
        inv.out(png)
    return 0


async def noop(inv: Invocation) -> int:
    return 0


ANDROID_COMMANDS: dict[str, CommandFn] = {
    "am": am, "monkey": monkey, "pm": pm, "cmd": cmd, "dumpsys": dumpsys, "wm": wm, "ime": ime,
    "settings": settings, "input": input_, "app_process": app_process,
    "uiautomator": uiautomator, "screencap": screencap, "svc": noop, "reboot": noop,
    "logcat": noop, "content": content,
}  # fmt: skip
