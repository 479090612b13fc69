import { findBlockKitErrors, maxViewBlocks } from "./block-kit.ts";
import { postEphemeral, postMessage, updateMessage } from "./chat-methods.ts";
import { failure, type MethodHandler, stringArgument } from "./method-support.ts";
import type { Channel, UserProfile } from "./workspace.ts";

/** Methods that take the app-level token. Every other method takes the bot token. */
export const appTokenMethods = new Set(["apps.connections.open"]);

const authTest: MethodHandler = (_args, { workspace, baseUrl }) => {
  const { teamId, teamDomain, botUserId, botId } = workspace.identity;
  return {
    ok: true,
    url: baseUrl,
    team: teamDomain,
    user: workspace.users.get(botUserId)?.name ?? "psa",
    team_id: teamId,
    user_id: botUserId,
    bot_id: botId,
    is_enterprise_install: false,
  };
};

const conversationsInfo: MethodHandler = (args, { workspace }) => {
  const reference = stringArgument(args, "channel");
  const channel = reference === undefined ? undefined : workspace.channels.get(reference);
  if (channel === undefined) {
    return failure("channel_not_found");
  }
  return { ok: true, channel: describeChannel(channel, workspace.botIsMember(channel)) };
};

const usersInfo: MethodHandler = (args, { workspace }) => {
  const id = stringArgument(args, "user");
  const user = id === undefined ? undefined : workspace.users.get(id);
  if (user === undefined) {
    return failure("user_not_found");
  }
  return { ok: true, user: describeUser(user, workspace.identity.teamId) };
};

/**
 * Stores a Home tab view for a user. Slack reports a malformed view as `invalid_arguments`,
 * with one detail line per problem.
 */
const viewsPublish: MethodHandler = (args, { workspace }) => {
  const userId = stringArgument(args, "user_id");
  if (userId === undefined || !workspace.users.has(userId)) {
    return failure("user_not_found");
  }
  const view = args.view;
  if (typeof view !== "object" || view === null || Array.isArray(view)) {
    return failure("invalid_arguments", ["[ERROR] must be a JSON object [json-pointer:/view]"]);
  }
  const fields = view as Record<string, unknown>;
  if (fields.type !== "home") {
    return failure("invalid_arguments", ['[ERROR] must be "home" [json-pointer:/view/type]']);
  }
  const errors = findBlockKitErrors(fields.blocks, maxViewBlocks);
  if (errors.length > 0) {
    return failure(
      "invalid_arguments",
      errors.map((line) => line.replace(":/", ":/view/")),
    );
  }

  const stored = {
    ...fields,
    id: `V${workspace.nextTs().replace(".", "")}`,
    team_id: workspace.identity.teamId,
    app_id: workspace.identity.appId,
    bot_id: workspace.identity.botId,
    state: { values: {} },
  };
  workspace.homeViews.set(userId, stored);
  return { ok: true, view: stored };
};

const appsConnectionsOpen: MethodHandler = (_args, { openSocketUrl }) => {
  return { ok: true, url: openSocketUrl() };
};

/** Handlers of the Web API methods that the stand-in implements, by method name. */
export const webApiMethods: Record<string, MethodHandler> = {
  "auth.test": authTest,
  "chat.postMessage": postMessage,
  "chat.update": updateMessage,
  "chat.postEphemeral": postEphemeral,
  "views.publish": viewsPublish,
  "conversations.info": conversationsInfo,
  "users.info": usersInfo,
  "apps.connections.open": appsConnectionsOpen,
};

function describeChannel(channel: Channel, isMember: boolean): Record<string, unknown> {
  const description: Record<string, unknown> = {
    id: channel.id,
    name: channel.name,
    is_channel: !channel.isIm,
    is_im: channel.isIm,
    is_private: channel.isPrivate || channel.isIm,
    is_archived: false,
    is_member: isMember,
    created: channel.created,
  };
  if (!channel.isIm) {
    description.num_members = channel.members.size;
  }
  return description;
}

function describeUser(user: UserProfile, teamId: string): Record<string, unknown> {
  return {
    id: user.id,
    team_id: teamId,
    name: user.name,
    real_name: user.realName,
    tz: user.tz,
    deleted: false,
    is_bot: user.isBot,
    profile: { real_name: user.realName, display_name: user.name },
  };
}
