import base64
import json
import urllib.request

AUTH = "Basic " + base64.b64encode(b"maintenance:raid-maintenance").decode()


def call(method, url, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers={
        "Authorization": AUTH, "Content-Type": "application/json", "Response-Job-Status": "Completed"})
    with urllib.request.urlopen(req) as resp:
        return json.loads(resp.read() or b"null")


def test_snapshot_split(vsp_emulator):
    api = vsp_emulator["api"]
    call("POST", vsp_emulator["control"] + "/reset", {})  # back to the fixture state: tests stay independent
    call("POST", api + "/ldevs", {"ldevId": 10, "poolId": 0, "byteFormatCapacity": "10G"})
    job = call("POST", api + "/snapshots", {
        "snapshotGroupName": "nightly", "snapshotPoolId": 1, "pvolLdevId": 0, "svolLdevId": 10,
        "canCascade": True, "isDataReductionForceCopy": True})
    assert job["state"] == "Succeeded"
    call("POST", api + "/snapshots/0,0/actions/split/invoke")
    assert call("GET", api + "/snapshots/0,0")["status"] == "PSUS"


def test_storage_id(vsp_emulator):
    storages = call("GET", vsp_emulator["api"] + "/storages")
    assert [s["storageDeviceId"] for s in storages["data"]] == [vsp_emulator["storage_device_id"]]
