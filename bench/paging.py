# Copyright (c) 2026 smartx.cloudtower contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plugin's request pattern, shared by the bench clients so that each is measured on the same calls:
get-vms pages of PAGE_SIZE ordered by id, and one get-vm-nics per non-empty page."""

WHERE = {"in_recycle_bin": False, "internal": False, "vm_usage": None}


def fetch_all(get_vms, get_vm_nics, id_of, page_size):
    """Return (vms, nics); get_vms and get_vm_nics take a request body and return a list."""
    vms, nics, skip = [], [], 0
    while True:
        page = get_vms({"where": WHERE, "orderBy": "id_ASC", "first": page_size, "skip": skip})
        vms.extend(page)
        if page:
            nics.extend(get_vm_nics({"where": {"vm": {"id_in": [id_of(vm) for vm in page]}}}))
        if len(page) < page_size:
            return vms, nics
        skip += page_size
