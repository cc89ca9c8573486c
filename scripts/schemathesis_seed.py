#!/usr/bin/env python3
"""Seeds a fresh orghub with one record of every kind the native API names in a path, and
prints a schemathesis.toml that fills each path parameter with one of them.

Without it, every generated id names nothing and most operations answer 404 before their
own logic runs. Each kind is made twice: the generated DELETE of a kind gets the second
record, so that deleting it early in the run leaves the first for every other operation.

Usage: schemathesis_seed.py BASE_URL API_KEY ROOT_ORG_ID  (BASE_URL ends in /api/v1)
"""

import json
import sys
import urllib.request


def call(base, key, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("Authorization", f"Bearer {key}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request) as response:
        return json.load(response)


def seed(base, key, root, n):
    """One record of each kind under a new child of `root`; their ids by path parameter."""
    org = call(base, key, "POST", "/orgs", {"name": f"Fuzzed {n}", "parentId": root})["id"]
    user = call(base, key, "POST", "/users",
                {"orgId": org, "name": f"Fuzzed {n}", "email": f"fuzzed{n}@orghub.test"})["id"]
    hook = call(base, key, "POST", f"/orgs/{org}/hooks",
                {"url": "https://hooks.example/in", "types": ["organization.deleted"]})["id"]
    template = call(base, key, "POST", f"/orgs/{org}/templates", {
        "name": "Pipeline", "type": "etl", "graphs": {"nodes": []},
        "connections": [{"name": "warehouse", "type": "database"}],
    })["id"]
    project = call(base, key, "POST", f"/orgs/{org}/projects",
                   {"name": f"Project {n}", "description": "fuzzed", "templateId": template})
    external_id = call(base, key, "POST", f"/external-ids?orgId={org}")["id"]
    account = call(base, key, "POST", "/cloud-accounts", {
        "orgId": org, "name": f"Account {n}", "environment": "production",
        "roleArn": "arn:aws:iam::223334445555:role/CloudConformity", "externalId": external_id,
    })["id"]
    api_key = call(base, key, "POST", f"/users/{user}/api-keys")["id"]
    credential = call(base, key, "POST", f"/orgs/{org}/idos-credentials",
                      {"name": f"Credential {n}"})["publicKey"]
    handler = call(base, key, "POST", f"/orgs/{org}/idos-handlers", {
        "name": f"Handler {n}", "authUsername": f"handler{n}", "authPassword": "fuzzed-password",
    })["publicKey"]
    identity = call(base, key, "POST", f"/users/{user}/identity-keys")["publicKey"]
    return {
        "org_id": org, "user_id": user, "hook_id": hook, "project_id": project["id"],
        "connection_id": project["connections"][0]["id"], "account_id": account,
        "key_id": api_key, "credential_key": credential, "handler_key": handler,
        "identity_key": identity,
    }


# Each DELETE (by operation id: schemathesis ORs the other filters of one entry) takes the
# second record for the parameters that name what it deletes.
DELETES = {
    "deleteOrganization": ["org_id"],
    "deleteUser": ["user_id"],
    "deleteHook": ["hook_id"],
    "deleteProject": ["project_id"],
    "deleteCloudAccount": ["account_id"],
    "revokeApiKey": ["key_id"],
    "deleteIdosCredential": ["org_id", "credential_key"],
    "deleteIdosHandler": ["org_id", "handler_key"],
    "deleteIdentityKey": ["user_id", "identity_key"],
}


def main():
    base, key, root = sys.argv[1:4]
    kept, doomed = seed(base, key, root, 1), seed(base, key, root, 2)
    lines = ["[parameters]"]
    lines += [f'"path.{name}" = "{value}"' for name, value in kept.items()]
    for operation_id, names in DELETES.items():
        overrides = ", ".join(f'"path.{name}" = "{doomed[name]}"' for name in names)
        lines += ["", "[[operations]]", f'include-operation-id = "{operation_id}"',
                  f"parameters = {{ {overrides} }}"]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
