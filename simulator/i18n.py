"""The en-US and zh-CN texts the simulator answers with (content-language)."""

LANGUAGES = ("en-US", "zh-CN")

MESSAGES = {
    "unauthorized": ("Unauthorized: missing or invalid token", "未授权：缺少令牌或令牌无效"),
    "login_failed": ("Incorrect username or password", "用户名或密码错误"),
    "not_found": ("Operation {op} not found", "操作 {op} 不存在"),
    "bad_language": ("Unsupported content-language {value}; use en-US, zh-CN or *", "不支持的 content-language {value}，可选 en-US、zh-CN 或 *"),
    "invalid_body": ("Invalid request body: field {field}: {detail}", "请求体无效：字段 {field}：{detail}"),
    "invalid_json": ("Request body is not valid JSON", "请求体不是合法的 JSON"),
    "invalid_query": ("Invalid query: {detail}", "查询无效：{detail}"),
    "locked": ("Resource [{type}-{id}] locked", "资源 [{type}-{id}] 已锁定"),
    "server_error": ("Internal server error (simulated)", "服务器内部错误（模拟）"),
    "internal_error": ("Internal server error: {detail}", "服务器内部错误：{detail}"),
    "wrong_method": ("Operation {method} {op} not found; {op} takes {expected}", "操作 {method} {op} 不存在；{op} 须使用 {expected}"),
    "vm_not_found": ("VM {id} not found", "虚拟机 {id} 不存在"),
    "snapshot_not_found": ("VM snapshot {id} not found", "虚拟机快照 {id} 不存在"),
    "snapshot_wrong_vm": ("VM snapshot {id} does not belong to VM {vm}", "虚拟机快照 {id} 不属于虚拟机 {vm}"),
    "host_not_found": ("Host {id} not found in the cluster of VM {vm}", "主机 {id} 不在虚拟机 {vm} 所在集群中"),
    # task error messages (error_code VM_STATUS_INVALID / VMTOOLS_NOT_RUNNING)
    "already": ("VM {vm} is already {status}", "虚拟机 {vm} 已处于 {status} 状态"),
    "not_running": ("VM {vm} is {status}; it must be RUNNING", "虚拟机 {vm} 处于 {status} 状态，必须为 RUNNING"),
    "not_stopped": ("VM {vm} is {status}; it must be STOPPED", "虚拟机 {vm} 处于 {status} 状态，必须为 STOPPED"),
    "not_suspended": ("VM {vm} is {status}; it must be SUSPENDED", "虚拟机 {vm} 处于 {status} 状态，必须为 SUSPENDED"),
    "vmtools_required": ("VM {vm}: a file-system-consistent snapshot requires VMTools to be RUNNING (it is {status})",
                         "虚拟机 {vm}：文件系统一致性快照需要 VMTools 处于 RUNNING 状态（当前为 {status}）"),
}

# task descriptions by mutation, {name} is the resource name
TASK_DESCRIPTIONS = {
    "start-vm": ("Start VM {name}", "开启虚拟机 {name}"),
    "shutdown-vm": ("Shut down VM {name}", "关闭虚拟机 {name}"),
    "poweroff-vm": ("Force shut down VM {name}", "强制关闭虚拟机 {name}"),
    "restart-vm": ("Restart VM {name}", "重启虚拟机 {name}"),
    "force-restart-vm": ("Force restart VM {name}", "强制重启虚拟机 {name}"),
    "suspend-vm": ("Suspend VM {name}", "暂停虚拟机 {name}"),
    "resume-vm": ("Resume VM {name}", "恢复虚拟机 {name}"),
    "create-vm-snapshot": ("Create snapshot {name}", "创建虚拟机快照 {name}"),
    "delete-vm-snapshot": ("Delete snapshot {name}", "删除虚拟机快照 {name}"),
    "rollback-vm": ("Roll back VM {name}", "回滚虚拟机 {name}"),
    "resolve-alert": ("Resolve alert {name}", "解决告警 {name}"),
}

# alert templates: (message, cause, impact, solution) per language; {target} is the object's name
ALERTS = [
    (("Host {target} CPU usage is above 90%", "The host runs more vCPU load than it can serve.",
      "VMs on the host may respond slowly.", "Migrate VMs away from the host or add hosts to the cluster."),
     ("主机 {target} CPU 使用率超过 90%", "主机上运行的 vCPU 负载超过其处理能力。",
      "主机上的虚拟机可能响应缓慢。", "将虚拟机迁移到其他主机，或向集群添加主机。")),
    (("Cluster {target} storage usage is above 80%", "Data written to the cluster approaches its capacity.",
      "New data may fail to be written when the cluster is full.", "Delete unused data or add disks to the cluster."),
     ("集群 {target} 存储使用率超过 80%", "写入集群的数据接近其容量上限。",
      "集群写满后新数据可能无法写入。", "删除无用数据或为集群添加磁盘。")),
    (("VM {target} memory usage is above 95%", "The guest uses nearly all the memory it was given.",
      "Applications in the VM may be slowed down or killed.", "Give the VM more memory or reduce its load."),
     ("虚拟机 {target} 内存使用率超过 95%", "虚拟机内部几乎用尽了分配的内存。",
      "虚拟机中的应用可能变慢或被终止。", "为虚拟机增加内存或降低其负载。")),
    (("Disk {target} is unhealthy", "The disk reported SMART or I/O errors.",
      "Data on the disk is at risk; the cluster may rebuild replicas.", "Replace the disk."),
     ("磁盘 {target} 不健康", "磁盘报告了 SMART 或 I/O 错误。",
      "磁盘上的数据存在风险，集群可能会重建副本。", "更换该磁盘。")),
    (("NTP server of cluster {target} is unreachable", "The configured NTP server does not answer.",
      "Host clocks may drift apart.", "Check the NTP server address and the network."),
     ("集群 {target} 的 NTP 服务器不可达", "配置的 NTP 服务器无响应。",
      "主机之间的时钟可能出现偏差。", "检查 NTP 服务器地址和网络。")),
]


def message(key, language, **values):
    """A localised message; ``*`` and unknown languages fall back to en-US."""
    english, chinese = MESSAGES[key]
    return (chinese if language == "zh-CN" else english).format(**values)


def description(operation, language, **values):
    english, chinese = TASK_DESCRIPTIONS[operation]
    return (chinese if language == "zh-CN" else english).format(**values)
