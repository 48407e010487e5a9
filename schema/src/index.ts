/** @waggle/schema: ids, document layout, wire protocol, validation and policies. */
export { ID_PATTERN, isId, newCommandId, newConvId, newMessageId, randomId, timeOfId, timeSortableId } from './ids.ts'
export type { Brand, CommandId, ContactId, ConvId, MessageId, ServiceId, UserId, WorkspaceId } from './ids.ts'
export { Reason, WaggleError, assert, assertNever, isReason } from './errors.ts'
export { Origin, isOrigin } from './origins.ts'
export type { TxOrigin } from './origins.ts'
export { MAX_DOC_NAME_LENGTH, docName, isDocName, parseDocName } from './docNames.ts'
export type { DocKind, DocName, ParsedDocName } from './docNames.ts'
export { Limits, isDeleted, parseStoredMessage } from './message.ts'
export type { AttachmentRef, DeletedMessage, ForwardedFrom, LiveMessage, StoredMessage } from './message.ts'
export { SEGMENT_MAX_MESSAGES, appendMessage, deleteMessage, editMessage, forgetMessages, getMessage, listMessages, messageCount, messageIdsIn, observeMessages, searchableMessages } from './doc/segment.ts'
export type { SearchableMessage } from './doc/segment.ts'
export type { NewMessage } from './doc/segment.ts'
export { MAX_EMOJI_LENGTH, allReactions, observeReactions, parseReactionKey, reactionKey, reactionsFor, toggleReaction } from './doc/reactions.ts'
export { currentSegment, membersRemovedBy, readConvInfo, readMembers, readSegments, startSegment, updateConvInfo, writeConvInfo, writeMember } from './doc/convMeta.ts'
export type { ConvInfo, ConvMember, SegmentInfo } from './doc/convMeta.ts'
export { PREVIEW_LENGTH, inboxEntries, inboxEntry, observeInbox, previewOf, removeInboxEntry, writeInboxEntry } from './doc/inbox.ts'
export type { InboxEntry, InboxLastMessage } from './doc/inbox.ts'
export { markSeen, observeReceipts, receiptOf, receipts } from './doc/receipts.ts'
export type { Receipt } from './doc/receipts.ts'
export { Command, CreateConversationCommand, directConvId, guestUserId } from './commands.ts'
export type { CommandResult, ConversationCommand } from './commands.ts'
export {
  AddMembersCommand, JoinByLinkCommand, LeaveConversationCommand, PICTURE_MAX_BYTES, PICTURE_PREFIX, RemoveMemberCommand, SetAvailableByLinkCommand,
  UpdateConversationCommand,
} from './groupCommands.ts'
export { SystemEventKind, SystemEventSchema } from './systemEvent.ts'
export type { SystemEvent } from './systemEvent.ts'
export { appendSystemMessage } from './doc/systemMessage.ts'
export { readColleagues, readGuests, readPhonebook, readServices, writeColleague, writeContact, writeGuest, writeService } from './doc/directory.ts'
export type { Colleague, Contact, Guest, Service } from './doc/directory.ts'
export {
  MAX_SAVED_STATUSES, archived, draft, drafts, hidden, markRead, muted, pins, readPosition, readPositions, removeSavedStatus, saveStatus, savedStatuses,
  setArchived, setDraft, setHidden, setMuted, setPinned, setSetting, setting,
  MAX_RECENT_PER_CATEGORY, clearRecentSearches, recentSearches, rememberSearch,
} from './doc/userPrivate.ts'
export type { Draft, RecentSearch, RecentSearchCategory, SavedStatus } from './doc/userPrivate.ts'
export {
  Availability, AutoStatusSchema, PresenceAwarenessSchema, StatusMessageSchema, StatusSchema, readAutoStatus, readLastSeen, readStatus,
  visibleLength, writeAutoStatus, writeLastSeen, writeStatus,
} from './doc/presence.ts'
export type { AutoStatus, PresenceAwareness, Status } from './doc/presence.ts'
export {
  ClearAfterChoiceSchema, OFFLINE_GRACE_MS, ONLINE_WINDOW_MS, calendarStatus, clearAtFor, conferenceStatus, cutToVisible, effectiveStatus, lastSeenText,
  nextStatusChange, onlineState, statusLine,
} from './presenceRules.ts'
export type { ClearAfterChoice, OnlineState, ShownStatus } from './presenceRules.ts'
export { CloseCode, MIN_CLIENT_PROTOCOL_VERSION, PROTOCOL_VERSION, ProtocolLimits } from './protocol/version.ts'
export { FrameType } from './protocol/frameType.ts'
export { decodeClientFrame, decodeFrame, decodeServerFrame, encodeFrame } from './protocol/codec.ts'
export type { ClientFrame, Frame, ServerFrame } from './protocol/codec.ts'
export type { AccessFrame } from './protocol/messages/access.ts'
export type { AckFrame } from './protocol/messages/ack.ts'
export type { AwarenessFrame } from './protocol/messages/awareness.ts'
export type { ErrorFrame } from './protocol/messages/error.ts'
export type { HelloFrame } from './protocol/messages/hello.ts'
export type { RejectFrame } from './protocol/messages/reject.ts'
export type { SyncFrame } from './protocol/messages/sync.ts'
export type { UnsubscribeFrame } from './protocol/messages/unsubscribe.ts'
export type { UpdateFrame } from './protocol/messages/update.ts'
export type { WelcomeFrame } from './protocol/messages/welcome.ts'
export { canRead, canWrite, docAccess } from './policy/access.ts'
export type { Access, AccessFacts, Principal, Role } from './policy/access.ts'
export { contentCheckFor, contentChecks } from './policy/content.ts'
export type { ContentCheck, ContentRefusal, Writer } from './policy/content.ts'
export { checkPresenceContent } from './policy/presenceContent.ts'
export { NO_CHANGES, changedKeys, checkLayout, collectChanges, rootMap, sameValue } from './policy/changes.ts'
export type { ChangedValue, Changes, Layout, RootShape } from './policy/changes.ts'
export { SegmentLayout, checkMessageChange, checkSegmentContent } from './policy/segmentContent.ts'
export { ReactionsLayout, checkReactionChange, checkReactionsContent } from './policy/reactionsContent.ts'
export { ReceiptsLayout, checkReceiptsContent } from './policy/receiptsContent.ts'
export {
  ConvMetaLayout, DirectoryLayout, PrivateLayout, checkConvMetaContent, checkDirectoryContent, checkPrivateContent, checkServerOnly,
} from './policy/layoutContent.ts'
export { AuthStartBody, AuthVerifyBody, CreateContactBody, EMAIL_PATTERN, RelaySearchBody, SEARCH_QUERY_MAX } from './api.ts'
export type { ApiError, AuthStartResponse, AuthVerifyResponse, CreateContactResponse, DemoAccount, RelaySearchHit, RelaySearchResponse } from './api.ts'
export { DEFAULT_UPDATE_LIMITS, isEmptyUpdate, validateUpdate } from './update.ts'
export type { UpdateLimits } from './update.ts'
export { MAX_QUERY_TERMS, MAX_WORD_LENGTH, foldText, isPhoneQuery, matchRanges, phoneDigits, phoneMatches, queryTerms, tokenize } from './searchText.ts'
