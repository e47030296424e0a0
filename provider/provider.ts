/**
 * The dynamic providers of `wallaroo.User`, `wallaroo.Workspace` and `wallaroo.WorkspaceMember`,
 * as Pulumi serializes them into each
 * resource's `__provider` input (and so into the state).
 *
 * Each method only loads the implementation from the installed package, by
 * name, when the host runs it. That keeps the serialized text small, keeps zod
 * and undici out of the closure serializer (which cannot serialize them), and
 * captures no value at all, so no URL, token or password can reach the state
 * through `__provider`. Configuration arrives through `configure` at run time.
 */
import type * as pulumi from "@pulumi/pulumi";

/* eslint-disable @typescript-eslint/no-require-imports -- by package name at run time, never serialized (see above) */
type Props = Record<string, unknown>;

export const userProvider: pulumi.dynamic.ResourceProvider = {
  async configure(req: pulumi.dynamic.ConfigureRequest) {
    require("pulumi-wallaroo/dist/provider/lifecycle").configure(req.config);
  },
  async check(olds: Props, news: Props) {
    return require("pulumi-wallaroo/dist/provider/lifecycle").check(olds, news);
  },
  async diff(id: string, olds: Props, news: Props) {
    return require("pulumi-wallaroo/dist/provider/lifecycle").diff(id, olds, news);
  },
  async create(inputs: Props) {
    return require("pulumi-wallaroo/dist/provider/lifecycle").create(inputs);
  },
  async read(id: string, props: Props) {
    return require("pulumi-wallaroo/dist/provider/lifecycle").read(id, props);
  },
  async update(id: string, olds: Props, news: Props) {
    return require("pulumi-wallaroo/dist/provider/lifecycle").update(id, olds, news);
  },
  async delete(id: string, props: Props) {
    return require("pulumi-wallaroo/dist/provider/lifecycle").remove(id, props);
  },
};

/** The provider of `wallaroo.Workspace`: the same shape, calling the entry's `workspace` export. */
export const workspaceProvider: pulumi.dynamic.ResourceProvider = {
  async configure(req: pulumi.dynamic.ConfigureRequest) {
    require("pulumi-wallaroo/dist/provider/lifecycle").configure(req.config);
  },
  async check(olds: Props, news: Props) {
    return require("pulumi-wallaroo/dist/provider/lifecycle").workspace.check(olds, news);
  },
  async diff(id: string, olds: Props, news: Props) {
    return require("pulumi-wallaroo/dist/provider/lifecycle").workspace.diff(id, olds, news);
  },
  async create(inputs: Props) {
    return require("pulumi-wallaroo/dist/provider/lifecycle").workspace.create(inputs);
  },
  async read(id: string, props: Props) {
    return require("pulumi-wallaroo/dist/provider/lifecycle").workspace.read(id, props);
  },
  async update(id: string, olds: Props, news: Props) {
    return require("pulumi-wallaroo/dist/provider/lifecycle").workspace.update(id, olds, news);
  },
  async delete(id: string, props: Props) {
    return require("pulumi-wallaroo/dist/provider/lifecycle").workspace.remove(id, props);
  },
};

/** The provider of `wallaroo.WorkspaceMember`, calling the entry's `workspaceMember` export. */
export const workspaceMemberProvider: pulumi.dynamic.ResourceProvider = {
  async configure(req: pulumi.dynamic.ConfigureRequest) {
    require("pulumi-wallaroo/dist/provider/lifecycle").configure(req.config);
  },
  async check(olds: Props, news: Props) {
    return require("pulumi-wallaroo/dist/provider/lifecycle").workspaceMember.check(olds, news);
  },
  async diff(id: string, olds: Props, news: Props) {
    return require("pulumi-wallaroo/dist/provider/lifecycle").workspaceMember.diff(id, olds, news);
  },
  async create(inputs: Props) {
    return require("pulumi-wallaroo/dist/provider/lifecycle").workspaceMember.create(inputs);
  },
  async read(id: string, props: Props) {
    return require("pulumi-wallaroo/dist/provider/lifecycle").workspaceMember.read(id, props);
  },
  async update(id: string, olds: Props, news: Props) {
    return require("pulumi-wallaroo/dist/provider/lifecycle").workspaceMember.update(id, olds, news);
  },
  async delete(id: string, props: Props) {
    return require("pulumi-wallaroo/dist/provider/lifecycle").workspaceMember.remove(id, props);
  },
};
