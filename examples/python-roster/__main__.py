"""A team roster through the native wallaroo plugin: the Python twin of examples/yaml-roster.

`pulumi_wallaroo` is the SDK that `pulumi package add ./node_modules/pulumi-wallaroo/plugin`
generates from the plugin's schema: its classes are the schema's resources and its keyword
arguments and attributes the schema's properties in snake_case (workspaceId -> workspace_id).
"""

import pulumi
import pulumi_wallaroo as wallaroo

alice = wallaroo.User("alice", email="alice@example.com")
# Bob keeps his account but frees his licence seat.
bob = wallaroo.User("bob", email="bob@example.com", active=False)
carol = wallaroo.User("carol", email="carol@example.com")

research = wallaroo.Workspace("research", name="python-research")

# Passing outputs (not literals) makes each membership wait for its workspace and its user.
alice_research = wallaroo.WorkspaceMember(
    "alice-research",
    workspace_id=research.workspace_id,
    email=alice.email,
    role="owner",
)
# No role: the provider's default, collaborator.
carol_research = wallaroo.WorkspaceMember(
    "carol-research",
    workspace_id=research.workspace_id,
    email=carol.email,
)

pulumi.export("aliceId", alice.user_id)
# A secret output: `pulumi stack output aliceInitialPassword --show-secrets` shows it.
pulumi.export("aliceInitialPassword", alice.initial_password)
pulumi.export("workspaceId", research.workspace_id)
