import type { StoredEphemeral, StoredMessage, WorkspaceIdentity } from "./types.ts";

/** A conversation of the stand-in workspace: a channel, private channel or direct message. */
export interface Channel {
  id: string;
  name: string;
  isPrivate: boolean;
  isIm: boolean;
  members: Set<string>;
  /** Creation time in Unix seconds. */
  created: number;
}

/** A user of the stand-in workspace, as `users.info` returns it. */
export interface UserProfile {
  id: string;
  name: string;
  realName: string;
  /** IANA time zone name. */
  tz: string;
  isBot: boolean;
}

/**
 * Channels, users, messages and Home tab views of the stand-in workspace. Web API handlers
 * change it and tests read it.
 */
export class Workspace {
  readonly channels = new Map<string, Channel>();
  readonly users = new Map<string, UserProfile>();
  readonly ephemerals: StoredEphemeral[] = [];
  readonly homeViews = new Map<string, Record<string, unknown>>();
  private readonly messagesByChannel = new Map<string, StoredMessage[]>();
  private lastTs = { seconds: 0, sequence: 0 };

  constructor(readonly identity: WorkspaceIdentity) {
    this.addUser({ id: identity.botUserId, name: "psa", realName: "psa", isBot: true });
  }

  /** Adds or replaces a user. Omitted fields get defaults derived from the ID. */
  addUser(user: Partial<UserProfile> & { id: string }): UserProfile {
    const profile: UserProfile = {
      name: user.id.toLowerCase(),
      realName: user.id,
      tz: "UTC",
      isBot: false,
      ...user,
    };
    this.users.set(profile.id, profile);
    return profile;
  }

  /**
   * Sets the members of a channel, creating the channel when it is unknown. IDs starting with
   * `G` make private channels. Unknown member IDs become users with default profiles.
   */
  setMembers(channelId: string, userIds: string[], name?: string): Channel {
    const channel = this.channels.get(channelId) ?? this.createChannel(channelId, name);
    if (name !== undefined) {
      channel.name = name;
    }

    channel.members = new Set(userIds);
    for (const userId of userIds) {
      if (!this.users.has(userId)) {
        this.addUser({ id: userId });
      }
    }
    return channel;
  }

  /**
   * Finds the conversation that a Web API `channel` argument names: a conversation ID, a
   * channel name with or without `#`, or a user ID, which Slack maps to the bot's direct
   * message with that user.
   */
  findChannel(reference: string): Channel | undefined {
    const byId = this.channels.get(reference);
    if (byId) {
      return byId;
    }

    const user = this.users.get(reference);
    if (user && !user.isBot) {
      return this.directMessage(user.id);
    }
    const name = reference.replace(/^#/, "");
    return [...this.channels.values()].find((channel) => !channel.isIm && channel.name === name);
  }

  /** Returns whether the bot user is a member of the channel. */
  botIsMember(channel: Channel): boolean {
    return channel.members.has(this.identity.botUserId);
  }

  /**
   * Returns a new message timestamp in Slack's `SECONDS.SEQUENCE` form, such as
   * "1733320000.000100". Timestamps increase strictly, so they also identify messages.
   */
  nextTs(): string {
    const seconds = Math.floor(Date.now() / 1000);
    if (seconds > this.lastTs.seconds) {
      this.lastTs = { seconds, sequence: 100 };
    } else {
      this.lastTs.sequence += 100;
    }
    return `${this.lastTs.seconds}.${String(this.lastTs.sequence).padStart(6, "0")}`;
  }

  /** Stores a message, counting it as a reply on its thread parent. */
  addMessage(message: StoredMessage): void {
    const list = this.messagesByChannel.get(message.channel) ?? [];
    list.push(message);
    this.messagesByChannel.set(message.channel, list);

    const parent = message.thread_ts && this.findMessage(message.channel, message.thread_ts);
    if (parent) {
      parent.reply_count = (parent.reply_count ?? 0) + 1;
    }
  }

  /** Returns the stored message itself, for handlers that change it. */
  findMessage(channelId: string, ts: string): StoredMessage | undefined {
    return this.messagesByChannel.get(channelId)?.find((message) => message.ts === ts);
  }

  /** Removes a message, as `delete_original` on a `response_url` does. */
  deleteMessage(channelId: string, ts: string): void {
    const list = this.messagesByChannel.get(channelId) ?? [];
    this.messagesByChannel.set(
      channelId,
      list.filter((message) => message.ts !== ts),
    );
  }

  /** Returns copies of the channel's top-level messages, oldest first. */
  topLevelMessages(channelId: string): StoredMessage[] {
    const list = this.messagesByChannel.get(channelId) ?? [];
    return structuredClone(list.filter((message) => message.thread_ts === undefined));
  }

  /** Returns copies of the replies in the thread under `ts`, oldest first. */
  threadReplies(channelId: string, ts: string): StoredMessage[] {
    const list = this.messagesByChannel.get(channelId) ?? [];
    return structuredClone(list.filter((message) => message.thread_ts === ts));
  }

  private createChannel(id: string, name?: string): Channel {
    const channel: Channel = {
      id,
      name: name ?? id.toLowerCase(),
      isPrivate: id.startsWith("G"),
      isIm: id.startsWith("D"),
      members: new Set(),
      created: Math.floor(Date.now() / 1000),
    };
    this.channels.set(id, channel);
    return channel;
  }

  private directMessage(userId: string): Channel {
    const id = `D${userId.slice(1)}`;
    const channel = this.channels.get(id) ?? this.createChannel(id, userId);
    channel.members = new Set([this.identity.botUserId, userId]);
    return channel;
  }
}
