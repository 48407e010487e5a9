/**
 * Schema migrations for the relay's SQLite file, applied in order by {@link openSqlite}.
 * Migration `i` moves the file from `PRAGMA user_version = i` to `i + 1`. They are pure SQL and
 * never edited once released: change the schema by appending a new one.
 *
 * Tables are STRICT so a row read back has the column types declared here; enumerations carry
 * CHECKs so a value TypeScript would reject cannot be stored either. Times are milliseconds since
 * the epoch; booleans are INTEGER 0/1.
 */
export const sqliteMigrations: readonly string[] = [
  // 1: document log and snapshots; accounts, sign-in codes, sessions, conversations.
  `
  -- last_seq outlives the rows compaction deletes, so sequence numbers never repeat.
  CREATE TABLE doc_heads (
    doc TEXT PRIMARY KEY,
    last_seq INTEGER NOT NULL CHECK (last_seq >= 0)
  ) STRICT;
  CREATE TABLE doc_snapshots (
    doc TEXT PRIMARY KEY,
    snapshot BLOB NOT NULL,
    through_seq INTEGER NOT NULL CHECK (through_seq >= 0)
  ) STRICT;
  -- The bytes column is "data" because UPDATE is an SQL keyword.
  CREATE TABLE doc_updates (
    doc TEXT NOT NULL,
    seq INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (doc, seq)
  ) STRICT;

  CREATE TABLE workspaces (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL
  ) STRICT;
  CREATE TABLE users (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'member', 'guest')),
    can_modify_presence INTEGER NOT NULL CHECK (can_modify_presence IN (0, 1)),
    created_at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX users_by_workspace ON users (workspace_id);

  CREATE TABLE auth_codes (
    email TEXT PRIMARY KEY,
    code_hash TEXT NOT NULL,
    salt TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL CHECK (attempts >= 0),
    created_at INTEGER NOT NULL
  ) STRICT;
  CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  ) STRICT;
  -- deleteExpiredSessions scans by expiry.
  CREATE INDEX sessions_by_expiry ON sessions (expires_at);

  CREATE TABLE conversations (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    kind TEXT NOT NULL CHECK (kind IN ('direct', 'group')),
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL
  ) STRICT;
  CREATE TABLE conversation_members (
    conv TEXT NOT NULL REFERENCES conversations (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    role TEXT NOT NULL CHECK (role IN ('owner', 'member', 'guest')),
    read_only INTEGER NOT NULL CHECK (read_only IN (0, 1)),
    first_segment INTEGER NOT NULL CHECK (first_segment >= 0),
    added_at INTEGER NOT NULL,
    PRIMARY KEY (conv, user_id)
  ) STRICT;
  -- conversationsOf looks memberships up by user; the primary key only serves lookups by conv.
  CREATE INDEX conversation_members_by_user ON conversation_members (user_id);
  `,
  // 2: answers to commands, so each command id is applied at most once (ARCHITECTURE §2).
  `
  CREATE TABLE command_results (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    status TEXT NOT NULL CHECK (status IN ('accepted', 'rejected')),
    reason TEXT,
    message TEXT,
    at INTEGER NOT NULL,
    CHECK ((status = 'accepted' AND reason IS NULL AND message IS NULL)
        OR (status = 'rejected' AND reason IS NOT NULL AND message IS NOT NULL))
  ) STRICT;
  `,
  // 3: join links of conversations "available by link" (issue 4): one random token per conversation.
  `
  CREATE TABLE conversation_links (
    conv TEXT PRIMARY KEY REFERENCES conversations (id),
    token TEXT NOT NULL UNIQUE
  ) STRICT;
  `,
  // 4: uploaded files (issue 4): metadata here, bytes under <data>/files/<id>.
  `
  CREATE TABLE files (
    id TEXT PRIMARY KEY,
    conv TEXT NOT NULL REFERENCES conversations (id),
    owner TEXT NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    size INTEGER NOT NULL CHECK (size >= 0),
    type TEXT NOT NULL,
    "offset" INTEGER NOT NULL CHECK ("offset" >= 0 AND "offset" <= size),
    complete INTEGER NOT NULL CHECK (complete IN (0, 1)),
    created_at INTEGER NOT NULL
  ) STRICT;
  `,
  // 5: the conversation an accepted answer names (joinByLink), so a retry gets it too.
  `
  ALTER TABLE command_results ADD COLUMN conv TEXT CHECK (conv IS NULL OR status = 'accepted');
  `,
  // 6: server-side message search (issue 6; search/SqliteMessageSearch.ts). search_messages
  // holds each live message's text to answer with; search_fts indexes its folded form (the
  // folding is done in JS, like the device's, so ß/æ/œ/ø match too; words are letters and
  // digits, as on the device) and stores no copy of it;
  // search_segments says through which update of its document each segment is indexed, so
  // startup finds segments a crash or a failed index write left behind.
  `
  CREATE TABLE search_messages (
    row INTEGER PRIMARY KEY,
    conv TEXT NOT NULL,
    seg INTEGER NOT NULL CHECK (seg >= 0),
    id TEXT NOT NULL,
    author TEXT NOT NULL,
    time INTEGER NOT NULL,
    text TEXT NOT NULL,
    UNIQUE (conv, seg, id)
  ) STRICT;
  CREATE VIRTUAL TABLE search_fts USING fts5 (
    folded, content = '', contentless_delete = 1, tokenize = "unicode61 remove_diacritics 2 categories 'L* N*'", prefix = '2 3'
  );
  CREATE TABLE search_segments (
    doc TEXT PRIMARY KEY,
    indexed_seq INTEGER NOT NULL CHECK (indexed_seq >= 0)
  ) STRICT;
  `,
  // 7: the write gate's Yjs client id bindings (issue 7): each client id of a document belongs
  // to the user who first wrote with it ('@server' for the relay's own changes).
  `
  CREATE TABLE doc_client_ids (
    doc TEXT NOT NULL,
    client_id INTEGER NOT NULL CHECK (client_id >= 0),
    owner TEXT NOT NULL,
    PRIMARY KEY (doc, client_id)
  ) STRICT, WITHOUT ROWID;
  `,
]
