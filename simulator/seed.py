"""The deterministic start state: clusters, hosts, disks, VMs and their NICs, snapshots, alerts, labels."""

import datetime

from . import i18n
from .store import SEED_EPOCH, iso

GIB = 1024 ** 3
TIB = 1024 ** 4
HOSTS_PER_CLUSTER = 3
CORES_PER_HOST = 32
HZ_PER_CORE = 2_400_000_000
HOST_MEMORY = 512 * GIB
SSD_SIZE = 1_920_383_410_176
HDD_SIZE = 8_001_563_222_016

# (health_status, usage_status) of a few disks by position in the first 54 disks; every other disk is HEALTHY/MOUNTED
DISK_STATES = {
    4: ("SUBHEALTHY", "MOUNTED"), 9: ("UNHEALTHY", "UNMOUNTED"), 15: ("SMART_FAILED", "PARTIAL_MOUNTED"),
    22: ("SOFTWARE_RAID_FAILURE", "UNMOUNTED"), 31: ("HEALTHY", "UNMOUNTED"), 40: ("HEALTHY", "PARTIAL_MOUNTED"),
    47: ("SUBHEALTHY", "PARTIAL_MOUNTED"),
}
LABELS = [("env", "prod"), ("env", "dev"), ("app", "web"), ("app", "db"), ("owner", "ops")]


def _at(minutes):
    """A seed time, ``minutes`` after a fixed epoch (deterministic)."""
    return iso(SEED_EPOCH + datetime.timedelta(minutes=minutes))


class Seeder:
    """Fills an empty Store. ``clusters`` and ``vms`` are the command-line counts."""

    def __init__(self, store, clusters, vms):
        self.store = store
        self.cluster_count = clusters
        self.vm_count = vms
        self.clock = 0  # minutes after the epoch; every record is created a little later than the previous one
        self.labels = {}
        self.hosts_of = {}

    def tick(self):
        self.clock += 1
        return _at(self.clock / 60.0)

    def run(self):
        store = self.store
        store.bulk = True
        for key, value in LABELS:
            self.labels[(key, value)] = store.insert("labels", {"id": store.new_id(), "key": key, "value": value, "createdAt": self.tick()})
        for index in range(self.cluster_count):
            self.cluster(index)
        self.named_vms()
        clusters = list(store.tables["clusters"].values())
        for number in range(1, self.vm_count + 1):
            self.generic_vm(number, clusters)
        self.snapshots()
        self.alerts()
        store.bulk = False
        store.recount_all()

    # infrastructure ------------------------------------------------------------------------
    def cluster(self, index):
        store = self.store
        vmware = index % 3 == 2
        name = "cluster-vmware-%d" % (index // 3 + 1) if vmware else "cluster-elf-%d" % (index - index // 3 + 1)
        net = "10.%d.%d" % (index // 200, index % 200 + 1)
        cluster = store.insert("clusters", {
            "id": store.new_id(), "name": name, "local_id": store.new_uuid(), "type": "SMTX_OS",
            "hypervisor": "VMWARE" if vmware else "ELF", "architecture": "X86_64", "connect_state": "CONNECTED",
            "version": "6.1.0", "ip": net + ".10", "management_vip": net + ".10", "iscsi_vip": net + ".11",
            "mgt_gateway": net + ".1", "mgt_netmask": "255.255.255.0", "dns": ["10.0.0.2"], "ntp_servers": ["ntp.example.com"],
            "ntp_mode": "EXTERNAL", "recommended_cpu_models": ["Intel Xeon Processor (Cascadelake)"],
            "total_cpu_models": ["Intel Xeon Processor (Cascadelake)"], "current_cpu_model": "Intel Xeon Processor (Cascadelake)",
            "software_edition": "ENTERPRISE", "license_type": "PERPETUAL", "is_all_flash": False, "stretch": False,
            "entityAsyncStatus": None, "hosts": [], "vms": [], "labels": [],
        })
        totals = dict.fromkeys(("total_cpu_cores", "total_cpu_hz", "used_cpu_hz", "total_memory_bytes", "used_memory_bytes",
                                "total_data_capacity", "used_data_space", "failure_data_space",
                                "total_cache_capacity", "used_cache_space", "total_cpu_sockets"), 0)
        self.hosts_of[cluster["id"]] = []
        for number in range(HOSTS_PER_CLUSTER):
            host = self.host(cluster, index, number, net)
            self.hosts_of[cluster["id"]].append(host)
            for key in totals:
                totals[key] += host[key]
        totals["valid_data_space"] = totals["total_data_capacity"] - totals["failure_data_space"]
        totals["provisioned_cpu_cores"] = 0
        store.update("clusters", cluster["id"], dict(totals, max_physical_data_capacity=totals["total_data_capacity"]))

    def host(self, cluster, cluster_index, number, net):
        store = self.store
        position = cluster_index * HOSTS_PER_CLUSTER + number
        used_cpu = CORES_PER_HOST * HZ_PER_CORE * (0.2 + 0.1 * (position % 5))
        used_memory = HOST_MEMORY * (0.3 + 0.1 * (position % 4))
        host = store.insert("hosts", {
            "id": store.new_id(), "name": "%s-node-%d" % (cluster["name"], number + 1), "local_id": store.new_uuid(),
            "cluster": store.nested("clusters", cluster), "management_ip": "%s.%d" % (net, 21 + number),
            "data_ip": "10.250.%d.%d" % (cluster_index % 250, 21 + number), "access_ip": "%s.%d" % (net, 21 + number),
            "status": "CONNECTED_HEALTHY", "state": "IN_USE", "merged_status": "HEALTHY", "connect_status": "CONNECTED",
            "model": "SMTX-HX", "serial": "SN%06d" % position, "cpu_brand": "Intel(R) Xeon(R) Gold 6230R CPU @ 2.10GHz",
            "cpu_model": "Intel Xeon Processor (Cascadelake)", "cpu_vendor": "GenuineIntel", "compatible_cpu_models": ["Intel Xeon Processor (Cascadelake)"],
            "cpu_hz_per_core": HZ_PER_CORE, "total_cpu_cores": CORES_PER_HOST, "total_cpu_sockets": 2, "total_cpu_hz": CORES_PER_HOST * HZ_PER_CORE,
            "used_cpu_hz": used_cpu, "total_memory_bytes": HOST_MEMORY, "used_memory_bytes": used_memory,
            "allocatable_memory_bytes": int(HOST_MEMORY * 0.9), "os_memory_bytes": 32 * GIB, "os_version": "el7",
            "nic_count": 4, "hdd_disk_count": 4, "ssd_disk_count": 2, "pmem_disk_count": 0, "pmem_dimm_count": 0, "pmem_dimm_capacity": 0,
            "cpu_fan_speed": [3200.0, 3300.0], "cpu_fan_speed_unit": "RPM", "cpu_temperature_celsius": [48, 51],
            "chunk_id": str(number + 1), "lsm_cap_disk_safe_umount": True, "nested_virtualization": False,
            "provisioned_cpu_cores": 0, "provisioned_memory_bytes": 0, "running_pause_vm_memory_bytes": 0,
            "entityAsyncStatus": None, "disks": [], "vms": [], "labels": [],
        })
        figures = {"total_data_capacity": 0, "failure_data_space": 0, "total_cache_capacity": 0}
        for slot in range(6):
            disk = self.disk(host, position * 6 + slot, slot)
            if disk["type"] == "SSD":
                figures["total_cache_capacity"] += disk["size"]
            else:
                figures["total_data_capacity"] += disk["size"]
                if disk["health_status"] != "HEALTHY":
                    figures["failure_data_space"] += disk["size"]
        figures["used_data_space"] = int(figures["total_data_capacity"] * (0.25 + 0.05 * (position % 6)))
        figures["used_cache_space"] = int(figures["total_cache_capacity"] * 0.4)
        figures["hdd_data_capacity"] = figures["total_data_capacity"]
        figures["ssd_data_capacity"] = 0
        return store.update("hosts", host["id"], figures)

    def disk(self, host, position, slot):
        store = self.store
        ssd = slot < 2
        health, usage_status = DISK_STATES.get(position % 54, ("HEALTHY", "MOUNTED"))
        size = SSD_SIZE if ssd else HDD_SIZE
        return store.insert("disks", {
            "id": store.new_id(), "name": "sd%s" % "abcdef"[slot], "local_id": store.new_uuid(), "host": store.nested("hosts", host),
            "path": "/dev/sd%s" % "abcdef"[slot], "type": "SSD" if ssd else "HDD", "size": size,
            "model": "INTEL SSDSC2KG019T8" if ssd else "ST8000NM000A", "serial": "DSK%07d" % position, "firmware": "XCV10132",
            "health_status": health, "healthy": health == "HEALTHY", "usage_status": usage_status, "mounted": usage_status == "MOUNTED",
            "usage": "CACHE" if ssd else "DATA", "function": "CACHE" if ssd else "DATA", "recommended_usage": "CACHE" if ssd else "DATA",
            "offline": False, "remaining_life_percent": 97 if ssd else None, "physical_slot_on_brick": slot, "numa_node": 0,
            "partitions": [{"name": "sd%s1" % "abcdef"[slot], "path": "/dev/sd%s1" % "abcdef"[slot], "size": size,
                            "usage": "CACHE" if ssd else "PARTITION", "used_size": size // 3}],
            "failure_information": None, "entityAsyncStatus": None, "labels": [],
        })

    # VMs -----------------------------------------------------------------------------------
    def vm(self, name, cluster, host_index=0, status="RUNNING", tools="RUNNING", labels=(), nics=((),), vcpu=2,
           memory=4 * GIB, windows=False, **extra):
        """Insert a VM with its NICs; ``nics`` is one tuple of (IPv4s, IPv6s) lists or () per NIC."""
        store = self.store
        hosts = self.hosts_of[cluster["id"]]
        host = hosts[host_index % len(hosts)] if hosts else None  # a cluster created through the control API may have none
        vm_id = store.new_id()
        volumes = [{"local_id": store.new_uuid(), "path": "/usr/share/smartx/volumes/%s-%d" % (vm_id, index),
                    "size": size, "bus": "VIRTIO", "id": store.new_id()} for index, size in enumerate((40 * GIB, 100 * GIB))]
        store.vm_volumes[vm_id] = volumes
        created = self.tick()
        record = store.insert("vms", dict({
            "id": vm_id, "name": name, "local_id": store.new_uuid(), "description": "", "status": status,
            "vm_tools_status": tools, "vm_tools_version": "4.2.0" if tools in ("RUNNING", "NOT_RUNNING") else None,
            "cluster": store.nested("clusters", cluster), "host": store.nested("hosts", host) if host else None,
            "node_ip": host["management_ip"] if host else "",
            "vcpu": vcpu, "cpu": {"cores": vcpu, "sockets": 1}, "cpu_model": "cluster_default", "memory": memory,
            "cpu_usage": 12.5 if status == "RUNNING" else None, "memory_usage": 40.0 if status == "RUNNING" else None,
            "guest_os_type": "WINDOWS" if windows else "LINUX", "os": "Windows Server 2019" if windows else "CentOS Linux 7 (Core)",
            "hostname": name if tools == "RUNNING" else None, "kernel_info": None if windows else "3.10.0-1160.el7.x86_64",
            "ha": True, "firmware": "BIOS", "clock_offset": "UTC", "in_recycle_bin": False, "internal": False, "protected": False,
            "win_opt": windows, "nested_virtualization": False, "out_uninstall_usb": [], "video_type": "CIRRUS",
            "vm_usage": None, "local_created_at": created, "deleted_at": None, "entityAsyncStatus": None, "ips": "",
            "size": sum(volume["size"] for volume in volumes), "provisioned_size": sum(volume["size"] for volume in volumes),
            "labels": [store.nested("labels", self.labels[label]) for label in labels], "vm_nics": [], "snapshots": [],
            "vm_disks": [{"id": volume["id"]} for volume in volumes], "ha_priority": "LEVEL_2_MEDIUM",
        }, **extra))
        addresses = []
        for index, nic in enumerate(nics):
            ipv4, ipv6 = (list(nic[0]), list(nic[1])) if nic else ([], [])
            addresses += ipv4
            store.insert("vm_nics", {
                "id": store.new_id(), "local_id": store.new_uuid(), "vm": store.nested("vms", record),
                "mac_address": "52:54:00:%02x:%02x:%02x" % (self.clock // 65536 % 256, self.clock // 256 % 256, (self.clock + index) % 256),
                "ip_address": ipv4[0] if ipv4 else None, "guest_info_ip_addresses": ipv4, "guest_info_ip_addresses_v6": ipv6,
                "subnet_mask": "255.255.255.0" if ipv4 else None, "gateway": None, "model": "VIRTIO", "enabled": True,
                "mirror": False, "order": index, "type": "VLAN", "interface_id": "eth%d" % index,
            })
        if addresses:
            store.update("vms", vm_id, {"ips": ",".join(addresses)})
        return record

    def named_vms(self):
        """The VMs the collection's tests rely on by name (see README)."""
        clusters = list(self.store.tables["clusters"].values())
        elf1, elf2 = clusters[0], clusters[1 % len(clusters)]
        self.vm("CloudTower", elf1, status="RUNNING", internal=True, vm_usage="CLOUDTOWER", vcpu=8, memory=16 * GIB,
                nics=((["10.0.1.5"], []),), description="CloudTower management VM")
        self.vm("web-1", elf1, labels=[("env", "prod"), ("app", "web")], nics=((["192.168.10.11"], ["fd00::11"]),))
        self.vm("db-1", elf1, 1, status="STOPPED", tools="NOT_RUNNING", labels=[("env", "prod"), ("app", "db")],
                nics=((["192.168.10.21"], []),), vcpu=4, memory=16 * GIB)
        self.vm("app-suspended", elf1, 2, status="SUSPENDED", labels=[("env", "dev")], nics=((["192.168.10.31"], []),))
        self.vm("acpi-ignorer", elf1, labels=[("env", "dev")], nics=((["192.168.10.41"], []),))
        self.vm("no-tools", elf1, 1, tools="NOT_INSTALLED", nics=((["192.168.10.51"], []),))
        self.vm("dup-name", elf1, 2, nics=((["192.168.10.61"], []),))
        self.vm("dup-name", elf2, 0, nics=((["192.168.20.61"], []),))
        self.vm("no-ip", elf1, nics=((),))
        self.vm("recycled-vm", elf2, status="STOPPED", tools="NOT_RUNNING", in_recycle_bin=True, nics=((["192.168.20.71"], []),))
        acpi = self.store.find("vms", {"name": "acpi-ignorer"})[0]
        self.store.guests[acpi["id"]] = {"ignore_acpi": True, "shutdown_seconds": None}

    def generic_vm(self, number, clusters):
        cluster = clusters[number % len(clusters)]
        status = "STOPPED" if number % 10 == 3 else "SUSPENDED" if number % 25 == 7 else "RUNNING"
        tools = "NOT_RUNNING" if status != "RUNNING" else "NOT_INSTALLED" if number % 13 == 5 else "RUNNING"
        labels = [("env", "prod") if number % 2 else ("env", "dev")]
        labels += [("app", "web")] if number % 3 == 0 else [("app", "db")] if number % 3 == 1 else []
        block, offset = divmod(number, 250)
        ipv4 = "10.%d.%d.%d" % (20 + block // 256, block % 256, offset + 2)
        if number % 17 == 11:
            nics = (([], ["fd00::%x" % number]),)  # only an IPv6 address known to the guest
        elif number % 4 == 0:
            nics = (([ipv4], []), (["172.16.%d.%d" % (block % 256, offset + 2)], []))
        else:
            nics = (([ipv4], []),)
        self.vm("vm-%05d" % number, cluster, number // len(clusters), status=status, tools=tools, labels=labels, nics=nics,
                vcpu=(1, 2, 4, 8)[number % 4], memory=(1, 2, 4, 8, 16)[number % 5] * GIB, windows=number % 5 == 0)

    # snapshots and alerts ------------------------------------------------------------------
    def snapshots(self):
        store = self.store
        from .tasks import snapshot_fields, lun_snapshot_fields
        plan = [("web-1", "web-1-daily"), ("web-1", "web-1-before-upgrade"), ("db-1", "db-1-weekly")]
        if self.vm_count:
            plan.append(("vm-00001", "vm-00001-initial"))
        for vm_name, name in plan:
            vm = store.find("vms", {"name": vm_name})[0]
            snapshot = store.insert("vm_snapshots", snapshot_fields(store, vm, name, "CRASH_CONSISTENT", self.tick()))
            for disk in snapshot["vm_disks"]:
                if disk["type"] == "DISK":
                    store.insert("iscsi_lun_snapshots", lun_snapshot_fields(store, vm, disk, self.tick()))

    def alerts(self):
        store = self.store
        clusters = list(store.tables["clusters"].values())
        hosts = list(store.tables["hosts"].values())
        disks = [disk for disk in store.tables["disks"].values() if disk["health_status"] != "HEALTHY"] or list(store.tables["disks"].values())
        vms = [vm for vm in store.tables["vms"].values() if not vm["internal"]][:10]
        for number in range(20):
            kind = number % len(i18n.ALERTS)
            cluster = clusters[number % len(clusters)]
            host, disk, targets = None, None, []
            if kind == 0:
                host = hosts[number % len(hosts)]
                cluster = store.tables["clusters"][host["cluster"]["id"]]
                target = host["name"]
            elif kind == 2 and vms:
                targets = [vms[number % len(vms)]]
                cluster = store.tables["clusters"][targets[0]["cluster"]["id"]]
                host = store.tables["hosts"][targets[0]["host"]["id"]]
                target = targets[0]["name"]
            elif kind == 3:
                disk = disks[number % len(disks)]
                host = store.tables["hosts"][disk["host"]["id"]]
                cluster = store.tables["clusters"][host["cluster"]["id"]]
                target = (disk["name"], host["name"])
            else:
                target = cluster["name"]
            # A disk is named with its host: "sde on node-1" in English, "node-1 上的 sde" in Chinese.
            english_target = "%s on %s" % target if isinstance(target, tuple) else target
            chinese_target = "%s 上的 %s" % target[::-1] if isinstance(target, tuple) else target
            english, chinese = i18n.ALERTS[kind]
            ended = number % 4 == 3
            start = self.tick()
            alert = store.insert("alerts", {
                "id": store.new_id(), "local_id": store.new_uuid(), "severity": ("CRITICAL", "NOTICE", "INFO")[number % 3],
                "message": english[0].format(target=english_target), "cause": english[1], "impact": english[2], "solution": english[3],
                "ended": ended, "cluster": store.nested("clusters", cluster), "host": store.nested("hosts", host) if host else None,
                "disk": store.nested("disks", disk) if disk else None, "vms": [store.nested("vms", vm) for vm in targets],
                "labels": {}, "threshold": 90.0, "value": 91.5 + number, "create_time": start, "local_create_time": start,
                "local_start_time": start, "local_update_time": start, "local_end_time": self.tick() if ended else "",
                "alert_rule": None,
            })
            store.alert_texts[alert["id"]] = {"zh-CN": dict(zip(("message", "cause", "impact", "solution"),
                                                                (chinese[0].format(target=chinese_target),) + chinese[1:]))}
