/**
 * Examples of the document's components: answers of a real emulator (default fixture, `--timing instant`, the clock
 * at 2026-01-05T10:00:00Z) to the calls of README "A first session with curl". The HostIscsi example is the shape
 * of a registered iSCSI name (the default fixture registers none). `redocly lint` validates each against its schema.
 */
export const EXAMPLES: Record<string, unknown[]> = {
  "VspError": [
    {
      "errorSource": "/ConfigurationManager/v1/objects/snapshots/0,5",
      "messageId": "KART30013-E",
      "message": "Specified object does not exist. (object = snapshots/0,5)",
      "cause": "The specified object does not exist in the storage system.",
      "solution": "Specify an existing object.",
      "solutionType": "SEE_ERROR_DETAIL",
      "detailCode": "30013E-0",
      "errorCode": {
        "errorCode": "EX_ENOOBJ"
      }
    },
    {
      "errorSource": "/ConfigurationManager/v1/objects/ldevs",
      "messageId": "KART40038-E",
      "message": "An unsupported parameter is specified in the request body, or the hierarchy of the specified parameter is invalid (attribute = capacityInGB)",
      "solution": "Check whether the specified attribute is correct, and whether the attribute is specified in the correct hierarchy.",
      "solutionType": "SEE_ERROR_DETAIL",
      "detailCode": "40038E-0"
    }
  ],
  "Job": [
    {
      "jobId": 2,
      "self": "/ConfigurationManager/v1/objects/jobs/2",
      "userId": "maintenance",
      "status": "Completed",
      "state": "Succeeded",
      "createdTime": "2026-01-05T10:00:00Z",
      "updatedTime": "2026-01-05T10:00:00Z",
      "request": {
        "requestUrl": "/ConfigurationManager/v1/objects/snapshots",
        "requestMethod": "POST",
        "requestBody": "{\"snapshotGroupName\":\"demo\",\"snapshotPoolId\":1,\"pvolLdevId\":0,\"svolLdevId\":10,\"canCascade\":true,\"isDataReductionForceCopy\":true}"
      },
      "affectedResources": [
        "/ConfigurationManager/v1/objects/snapshots/0,0"
      ],
      "completedTime": "2026-01-05T10:00:00Z"
    },
    {
      "jobId": 4,
      "self": "/ConfigurationManager/v1/objects/jobs/4",
      "userId": "maintenance",
      "status": "Completed",
      "state": "Failed",
      "createdTime": "2026-01-05T10:00:00Z",
      "updatedTime": "2026-01-05T10:00:00Z",
      "request": {
        "requestUrl": "/ConfigurationManager/v1/objects/ldevs",
        "requestMethod": "POST",
        "requestBody": "{\"ldevId\":10,\"poolId\":0,\"byteFormatCapacity\":\"10G\"}"
      },
      "affectedResources": [],
      "completedTime": "2026-01-05T10:00:00Z",
      "error": {
        "errorSource": "/ConfigurationManager/v1/objects/ldevs",
        "messageId": "KART30000-E",
        "message": "An error occurred in the storage system. (message = The specified LDEV is already defined.)",
        "cause": "An error occurred during execution of a RAID Manager command.",
        "solution": "Check the status of the storage system and the specified resources, and then try again.",
        "solutionType": "SEE_ERROR_DETAIL",
        "detailCode": "30000E-0",
        "errorCode": {
          "SSB1": "2E22",
          "SSB2": "0001"
        }
      }
    }
  ],
  "ApiVersion": [
    {
      "productName": "Configuration Manager REST API",
      "apiVersion": "1.22.0"
    }
  ],
  "SessionToken": [
    {
      "token": "f7e79d2b47f666309ce301f0b8829f5c",
      "sessionId": 1
    }
  ],
  "Session": [
    {
      "sessionId": 0,
      "userId": "maintenance",
      "ipAddress": "127.0.0.1",
      "createdTime": "2026-01-05T10:00:00Z",
      "lastAccessTime": "2026-01-05T10:00:00Z"
    }
  ],
  "StorageSummary": [
    {
      "storageDeviceId": "936000123456",
      "model": "VSP E990",
      "serialNumber": 123456,
      "svpIp": "192.0.2.100",
      "ctl1Ip": "192.0.2.101",
      "ctl2Ip": "192.0.2.102"
    }
  ],
  "Storage": [
    {
      "storageDeviceId": "936000123456",
      "model": "VSP E990",
      "serialNumber": 123456,
      "svpIp": "192.0.2.100",
      "ctl1Ip": "192.0.2.101",
      "ctl2Ip": "192.0.2.102",
      "mappWebServerHttpsPort": 443,
      "rmiPort": 1099,
      "dkcMicroVersion": "93-07-23-80/00",
      "detailDkcMicroVersion": "93-07-23-80/00",
      "communicationModes": [
        {
          "communicationMode": "lanConnectionMode"
        }
      ],
      "isSecure": true,
      "lanConnectionProtocol": "DTLS SVP",
      "targetCtl": "CTL1",
      "usesSvp": false,
      "isCompressionAccelerationAvailable": false
    }
  ],
  "Pool": [
    {
      "poolId": 1,
      "poolStatus": "POLN",
      "usedCapacityRate": 0,
      "usedPhysicalCapacityRate": 0,
      "poolName": "TI_POOL_1",
      "availableVolumeCapacity": 8388608,
      "availablePhysicalVolumeCapacity": 8388608,
      "totalPoolCapacity": 8388608,
      "totalPhysicalCapacity": 8388608,
      "numOfLdevs": 4,
      "firstLdevId": 65100,
      "warningThreshold": 80,
      "depletionThreshold": 95,
      "virtualVolumeCapacityRate": -1,
      "isMainframe": false,
      "isShrinking": false,
      "locatedVolumeCount": 0,
      "totalLocatedCapacity": 0,
      "blockingMode": "NB",
      "totalReservedCapacity": 0,
      "reservedVolumeCount": 0,
      "poolType": "HTI",
      "duplicationNumber": 0,
      "dataReductionAccelerateCompCapacity": 0,
      "dataReductionCapacity": 0,
      "dataReductionBeforeCapacity": 0,
      "dataReductionAccelerateCompRate": 0,
      "duplicationRate": 0,
      "compressionRate": 0,
      "dataReductionRate": 0,
      "snapshotCount": 0,
      "snapshotUsedCapacity": 0,
      "suspendSnapshot": true
    }
  ],
  "Ldev": [
    {
      "ldevId": 0,
      "clprId": 0,
      "emulationType": "OPEN-V-CVS",
      "byteFormatCapacity": "10.00 G",
      "blockCapacity": 20971520,
      "numOfPorts": 1,
      "ports": [
        {
          "portId": "CL1-A",
          "hostGroupNumber": 1,
          "hostGroupName": "linux-host-01",
          "lun": 0
        }
      ],
      "attributes": [
        "CVS",
        "HDP"
      ],
      "label": "vol-app-01",
      "status": "NML",
      "mpBladeId": 0,
      "ssid": "0004",
      "poolId": 0,
      "numOfUsedBlock": 0,
      "isFullAllocationEnabled": false,
      "isRelocationEnabled": true,
      "resourceGroupId": 0,
      "dataReductionStatus": "DISABLED",
      "dataReductionMode": "disabled",
      "isAluaEnabled": false,
      "naaId": "60060e800001e2405040000000000000"
    },
    {
      "ldevId": 100,
      "emulationType": "NOT DEFINED",
      "ssid": "0004",
      "resourceGroupId": 0
    }
  ],
  "Port": [
    {
      "portId": "CL1-A",
      "portType": "FIBRE",
      "portAttributes": [
        "TAR",
        "MCU",
        "RCU",
        "ELUN"
      ],
      "portSpeed": "AUT",
      "loopId": "EF",
      "fabricMode": true,
      "portConnection": "PtoP",
      "lunSecuritySetting": true,
      "wwn": "50060e8012345600"
    },
    {
      "portId": "CL3-A",
      "portType": "ISCSI",
      "portAttributes": [
        "TAR",
        "MCU",
        "RCU",
        "ELUN"
      ],
      "portSpeed": "10G",
      "loopId": "00",
      "fabricMode": false,
      "lunSecuritySetting": true,
      "ipv4Address": "192.0.2.31",
      "ipv4Subnetmask": "255.255.255.0",
      "tcpPort": "3260"
    }
  ],
  "HostGroup": [
    {
      "hostGroupId": "CL1-A,1",
      "portId": "CL1-A",
      "hostGroupNumber": 1,
      "hostGroupName": "linux-host-01",
      "hostMode": "LINUX/IRIX"
    },
    {
      "hostGroupId": "CL3-A,0",
      "portId": "CL3-A",
      "hostGroupNumber": 0,
      "hostGroupName": "3A-G00",
      "hostMode": "LINUX/IRIX",
      "iscsiName": "iqn.1994-04.jp.co.hitachi:rsd.h8m.t.123456.3a000",
      "authenticationMode": "NONE"
    }
  ],
  "HostWwn": [
    {
      "hostWwnId": "CL1-A,1,2100000e1e000001",
      "portId": "CL1-A",
      "hostGroupNumber": 1,
      "hostGroupName": "linux-host-01",
      "hostWwn": "2100000e1e000001",
      "wwnNickname": "-"
    }
  ],
  "HostIscsi": [
    {
      "hostIscsiId": "CL3-A,1,iqn.1994-05.com.redhat:host1",
      "portId": "CL3-A",
      "hostGroupNumber": 1,
      "hostGroupName": "HBSD-192.0.2.50",
      "iscsiName": "iqn.1994-05.com.redhat:host1",
      "iscsiNickname": "-"
    }
  ],
  "Lun": [
    {
      "lunId": "CL1-A,1,0",
      "portId": "CL1-A",
      "hostGroupNumber": 1,
      "hostMode": "LINUX/IRIX",
      "lun": 0,
      "ldevId": 0,
      "isCommandDevice": false,
      "luHostReserve": {
        "openSystem": false,
        "persistent": false,
        "pgrKey": false,
        "mainframe": false,
        "acaReserve": false
      }
    }
  ],
  "Snapshot": [
    {
      "snapshotGroupName": "demo",
      "primaryOrSecondary": "P-VOL",
      "status": "PAIR",
      "pvolLdevId": 0,
      "muNumber": 0,
      "svolLdevId": 10,
      "snapshotPoolId": 1,
      "concordanceRate": 100,
      "isConsistencyGroup": false,
      "isWrittenInSvol": false,
      "isClone": false,
      "canCascade": true,
      "isRedirectOnWrite": false,
      "snapshotId": "0,0",
      "pvolProcessingStatus": "N",
      "snapshotDataReadOnly": false
    },
    {
      "snapshotGroupName": "demo",
      "primaryOrSecondary": "S-VOL",
      "status": "PSUS",
      "pvolLdevId": 0,
      "muNumber": 0,
      "svolLdevId": 10,
      "snapshotPoolId": 1,
      "concordanceRate": 100,
      "isConsistencyGroup": false,
      "isWrittenInSvol": false,
      "isClone": false,
      "canCascade": true,
      "isRedirectOnWrite": false,
      "splitTime": "2026-01-05T10:00:00",
      "snapshotId": "0,0",
      "svolProcessingStatus": "N",
      "snapshotDataReadOnly": false
    }
  ],
  "SnapshotGroup": [
    {
      "snapshotGroupName": "demo",
      "snapshotGroupId": "demo",
      "snapshots": [
        {
          "snapshotGroupName": "demo",
          "primaryOrSecondary": "P-VOL",
          "status": "PSUS",
          "pvolLdevId": 0,
          "muNumber": 0,
          "svolLdevId": 10,
          "snapshotPoolId": 1,
          "concordanceRate": 100,
          "isConsistencyGroup": false,
          "isWrittenInSvol": false,
          "isClone": false,
          "canCascade": true,
          "isRedirectOnWrite": false,
          "splitTime": "2026-01-05T10:00:00",
          "snapshotId": "0,0",
          "pvolProcessingStatus": "N",
          "snapshotDataReadOnly": false
        }
      ]
    }
  ]
};
