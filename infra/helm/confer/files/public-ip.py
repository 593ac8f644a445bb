"""public-ip.py TOKEN_DIR OUT: write this Kubernetes node's external IP to the file OUT.

Runs in a media pod's init container: Janus announces that address (nat_1_1_mapping) in its ICE candidates, and the
Downward API only knows the node's private one. Reads the Node object with the pod's own token and the cluster's CA
from TOKEN_DIR (the pod's service account may get nodes, nothing more).
"""

import json
import os
import ssl
import sys
import urllib.request

token_dir, out = sys.argv[1:3]
node = os.environ["NODE_NAME"]
api = f"https://{os.environ['KUBERNETES_SERVICE_HOST']}:{os.environ['KUBERNETES_SERVICE_PORT']}"
with open(f"{token_dir}/token", encoding="ascii") as file:
    token = file.read().strip()
# https to the API server Kubernetes names, verified against the cluster's CA: no other scheme can come in.
request = urllib.request.Request(f"{api}/api/v1/nodes/{node}", headers={"Authorization": f"Bearer {token}"})  # noqa: S310
context = ssl.create_default_context(cafile=f"{token_dir}/ca.crt")
with urllib.request.urlopen(request, context=context, timeout=10) as answer:  # noqa: S310
    addresses = json.load(answer)["status"].get("addresses", [])
external = [a["address"] for a in addresses if a["type"] == "ExternalIP"]
if not external:
    sys.exit(f"node {node} has no ExternalIP: media nodes need a public address (docs/operations.md)")
with open(out, "w", encoding="ascii") as file:
    file.write(external[0])
sys.stdout.write(f"node {node}: public address {external[0]}\n")
