"""A pytest fixture that starts the vsp-emulator CLI once per session and waits for its ready line.

VSP_EMULATOR_CMD is the command (default: `npx --no-install vsp-emulator`, the package installed in the project).
"""
import os
import re
import shlex
import subprocess
import threading

import pytest

READY = re.compile(r"ready (http://\S+)(?: (https://\S+))?.* arrays=(\S+)")


@pytest.fixture(scope="session")
def vsp_emulator():
    cmd = shlex.split(os.environ.get("VSP_EMULATOR_CMD", "npx --no-install vsp-emulator"))
    # Nothing kept, any free ports, jobs complete at once: every session starts from the fixture.
    args = ["--db", ":memory:", "--http-port", "0", "--https-port", "0", "--timing", "instant", "--log-level", "warn"]
    proc = subprocess.Popen(cmd + args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    found = {}

    def read():
        for line in proc.stdout:
            match = READY.search(line)
            if match and not found:
                found.update(http=match[1], https=match[2], arrays=match[3].split(","))
                ready.set()

    ready = threading.Event()
    threading.Thread(target=read, daemon=True).start()
    if not ready.wait(timeout=60):
        proc.kill()
        pytest.fail(f"vsp-emulator did not print its ready line (exit code {proc.poll()})")
    yield {
        "url": found["http"],
        "https_url": found["https"],
        "api": found["http"] + "/ConfigurationManager/v1/objects",
        "control": found["http"] + "/emulator/v1",
        "storage_device_id": found["arrays"][0],
    }
    proc.terminate()
    proc.wait(timeout=10)
