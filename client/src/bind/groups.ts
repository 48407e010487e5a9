import {
  Reason, WaggleError, docName, newCommandId, readConvInfo, readMembers,
  type CommandResult, type ConvId, type ConversationCommand, type UserId,
} from '@waggle/schema'
import { createSignal, type Accessor } from 'solid-js'
import type { SyncClient } from '../sync/index.ts'
import { onDocChange } from './docs.ts'
import type { Person } from './model.ts'

/** One member as the info panel lists them. */
export interface GroupMember {
  id: UserId
  name: string
  role: 'owner' | 'member' | 'guest'
  readOnly: boolean
}

/** A group's info for the "Conversation info" panel (from `conv/{c}/meta`). */
export interface GroupInfo {
  title: string
  description: string
  picture: string | null
  readOnly: boolean
  /** The join link's token while the group is available by link. */
  linkToken: string | null
  /** Empty for a read-only external member (they do not see the member list). */
  members: GroupMember[]
  memberCount: number
  /** This user may add and remove members, edit the info and switch the link (owner or admin). */
  canManage: boolean
  /** This user is an external member who reads only. */
  external: boolean
}

export interface GroupInfoModel {
  info: Accessor<GroupInfo | null>
  dispose(): void
}

/** Group actions (issue 4): each queues a command in the durable outbox, except joining. */
export interface GroupActions {
  /** Opens the meta document for the info panel; `dispose()` when the panel closes. */
  openInfo(conv: ConvId): GroupInfoModel
  addMembers(conv: ConvId, members: UserId[], emails: string[], hideHistory: boolean): void
  removeMember(conv: ConvId, member: UserId): void
  leave(conv: ConvId): void
  updateInfo(conv: ConvId, change: { title?: string; description?: string; picture?: string | null }): void
  setAvailableByLink(conv: ConvId, on: boolean): void
  /** Joins by a link's token (online only: the relay resolves it); resolves with the conversation. */
  joinByLink(token: string): Promise<ConvId>
}

export interface GroupDeps {
  me: UserId
  /** Workspace admins manage every group they are in. */
  isAdmin: () => boolean
  sync: Pick<SyncClient, 'open'>
  people: Accessor<ReadonlyMap<UserId, Person>>
  queue: (command: ConversationCommand) => void
  post: (body: unknown) => Promise<{ status: number; body: unknown }>
}

export function makeGroupActions(deps: GroupDeps): GroupActions {
  const { queue } = deps
  return {
    openInfo: (conv) => openInfo(deps, conv),
    addMembers(conv, members, emails, hideHistory) {
      if (members.length + emails.length === 0) return
      queue({ id: newCommandId(), type: 'addMembers', conv, members, hideHistory, ...(emails.length > 0 ? { emails } : {}) })
    },
    removeMember: (conv, member) => queue({ id: newCommandId(), type: 'removeMember', conv, member }),
    leave: (conv) => queue({ id: newCommandId(), type: 'leaveConversation', conv }),
    updateInfo(conv, change) {
      if (change.title !== undefined && change.title.trim() === '') throw new WaggleError(Reason.badRequest, 'A group needs a name')
      queue({ id: newCommandId(), type: 'updateConversation', conv, ...change })
    },
    setAvailableByLink: (conv, on) => queue({ id: newCommandId(), type: 'setAvailableByLink', conv, on }),
    async joinByLink(token) {
      const { status, body } = await deps.post({ id: newCommandId(), type: 'joinByLink', token })
      const result = body as Partial<CommandResult> & { message?: unknown } | null
      if (status === 200 && result?.status === 'accepted' && typeof result.conv === 'string') return result.conv
      const message = typeof result?.message === 'string' ? result.message : 'This link does not work.'
      throw new WaggleError(Reason.notFound, message)
    },
  }
}

function openInfo(deps: GroupDeps, conv: ConvId): GroupInfoModel {
  const handle = deps.sync.open(docName.convMeta(conv))
  const [info, setInfo] = createSignal<GroupInfo | null>(null)
  const read = () => {
    const i = readConvInfo(handle.doc)
    if (i === null) {
      setInfo(null)
      return
    }
    const listed = readMembers(handle.doc)
    const mine = listed.get(deps.me)
    const external = mine?.role === 'guest' && mine.readOnly
    const people = deps.people()
    const members = [...listed].map(([id, m]): GroupMember => ({ id, name: people.get(id)?.name ?? id, role: m.role, readOnly: m.readOnly }))
      .sort((a, b) => a.name.localeCompare(b.name))
    setInfo({
      title: i.title, description: i.description ?? '', picture: i.picture ?? null, readOnly: i.readOnly, linkToken: i.byLink ? (i.linkToken ?? null) : null,
      members: external ? [] : members, memberCount: listed.size, external,
      canManage: mine !== undefined && mine.role !== 'guest' && (mine.role === 'owner' || deps.isAdmin()),
    })
  }
  const stop = onDocChange(handle.doc, read)
  void handle.loaded.then(read)
  read()
  return {
    info,
    dispose() {
      stop()
      handle.release()
    },
  }
}
