-- Bookkeeping of the database itself (e.g. what case_facts was built from).
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);

-- The canonical case table (SCHEMA.md §1) and the import bookkeeping around it. case_id is unique
-- because every write merges by it (db.store_cases, one staged row per case_id), not by a PRIMARY
-- KEY: DuckDB holds a key's index in memory, and that of 10,000,000 case_ids alone outgrows the
-- import's memory_limit (#14.2). A file of an earlier version keeps its key; the merge is the same.
CREATE TABLE IF NOT EXISTS cases (
    case_id          VARCHAR NOT NULL,
    registered_on    DATE NOT NULL,
    channel          VARCHAR,
    petitioner_name  VARCHAR,
    petitioner_idno  VARCHAR,
    phone            VARCHAR,
    persons          INTEGER NOT NULL DEFAULT 1 CHECK (persons >= 1),
    township         VARCHAR,
    village          VARCHAR,
    category         VARCHAR,
    category_raw     VARCHAR,
    purpose          VARCHAR,
    summary          VARCHAR,
    level            VARCHAR,
    handling         VARCHAR,
    responsible_unit VARCHAR,
    case_leader      VARCHAR,
    accepted_on      DATE,
    due_on           DATE,
    closed_on        DATE,
    resolution       VARCHAR,
    satisfaction     VARCHAR,
    key_person       BOOLEAN,
    repeat_flag      BOOLEAN,
    source_file      VARCHAR,
    source_row       INTEGER,
    import_batch     VARCHAR
);

-- Each case's facts (METRICS.md "Derived per case", sql/case_facts.sql) are stored on the case
-- itself, filled by db.refresh_facts in the transaction that wrote the case: one wide table is
-- written an import, not two (#14). ADD COLUMN also brings a file of an older version up to date.
ALTER TABLE cases ADD COLUMN IF NOT EXISTS petitioner_key      VARCHAR;
ALTER TABLE cases ADD COLUMN IF NOT EXISTS person_id           UBIGINT;
ALTER TABLE cases ADD COLUMN IF NOT EXISTS is_repeat           BOOLEAN;
ALTER TABLE cases ADD COLUMN IF NOT EXISTS next_same_matter_on DATE;
ALTER TABLE cases ADD COLUMN IF NOT EXISTS is_skip_level       BOOLEAN;
ALTER TABLE cases ADD COLUMN IF NOT EXISTS is_collective       BOOLEAN;
ALTER TABLE cases ADD COLUMN IF NOT EXISTS first_settled_on    DATE;
-- What every metric reads: the cases with their facts.
CREATE OR REPLACE VIEW case_facts AS SELECT * FROM cases;

CREATE TABLE IF NOT EXISTS imports (
    import_batch   VARCHAR PRIMARY KEY,
    file_name      VARCHAR NOT NULL,
    sha256         VARCHAR NOT NULL,
    imported_at    TIMESTAMP NOT NULL,
    as_of          DATE NOT NULL,
    rows_read      INTEGER NOT NULL,
    imported       INTEGER NOT NULL,
    updated        INTEGER NOT NULL,
    rejected       INTEGER NOT NULL,
    skipped        INTEGER NOT NULL,
    warnings       INTEGER NOT NULL,
    columns_unused VARCHAR[],
    refused        VARCHAR
);

CREATE TABLE IF NOT EXISTS rejected_rows (
    import_batch VARCHAR NOT NULL,
    source_file  VARCHAR NOT NULL,
    source_sheet VARCHAR,
    source_row   INTEGER NOT NULL,
    reason       VARCHAR NOT NULL,
    raw_values   JSON NOT NULL
);

CREATE TABLE IF NOT EXISTS import_warnings (
    import_batch VARCHAR NOT NULL,
    source_file  VARCHAR NOT NULL,
    source_sheet VARCHAR,
    source_row   INTEGER NOT NULL,
    case_id      VARCHAR,
    field        VARCHAR NOT NULL,
    value        VARCHAR,
    message      VARCHAR NOT NULL
);

-- 个人极端事件 / 负面炒作: not in case exports, entered by hand (METRICS.md 五不).
CREATE SEQUENCE IF NOT EXISTS incident_ids;
CREATE TABLE IF NOT EXISTS incidents (
    incident_id  INTEGER PRIMARY KEY DEFAULT nextval('incident_ids'),
    kind         VARCHAR NOT NULL CHECK (kind IN ('extreme', 'publicity')),
    occurred_on  DATE NOT NULL,
    township     VARCHAR,
    village      VARCHAR,
    description  VARCHAR NOT NULL,
    entered_at   TIMESTAMP NOT NULL DEFAULT current_timestamp,
    entered_by   VARCHAR            -- the user name of who registered it (NULL: before it was kept)
);
-- A database from before entered_by was kept gains the column (its incidents keep NULL).
ALTER TABLE incidents ADD COLUMN IF NOT EXISTS entered_by VARCHAR;

-- The scope filter of METRICS.md: several values of one filter mean any of them (an empty
-- list means no filter); several filters mean all of them. Every query filters through these.
CREATE OR REPLACE MACRO in_places(township, village, townships, villages) AS
    (len(townships) = 0 OR list_contains(townships, township))
    AND (len(villages) = 0 OR list_contains(villages, village));
CREATE OR REPLACE MACRO in_scope(township, village, category, channel,
                                 townships, villages, categories, channels) AS
    in_places(township, village, townships, villages)
    AND (len(categories) = 0 OR list_contains(categories, category))
    AND (len(channels) = 0 OR list_contains(channels, channel));

-- Who unmasked personal data or exported it unmasked, when, for which scope and why.
CREATE TABLE IF NOT EXISTS audit_log (
    recorded_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    username  VARCHAR NOT NULL,
    action    VARCHAR NOT NULL,
    scope     JSON NOT NULL,
    reason    VARCHAR NOT NULL
);

-- 领导接访、约访、下访、调度 records (ACCOUNTABILITY.md §2). A row's identity is
-- (held_on, leader, kind, township, village, sorted case_ids), kept as reception_key.
CREATE TABLE IF NOT EXISTS receptions (
    reception_key VARCHAR PRIMARY KEY,
    held_on       DATE NOT NULL,
    leader        VARCHAR NOT NULL,
    leader_title  VARCHAR,
    kind          VARCHAR NOT NULL CHECK (kind IN ('接访', '约访', '下访', '调度')),
    township      VARCHAR,
    village       VARCHAR,
    batches       INTEGER NOT NULL CHECK (batches >= 0),
    persons       INTEGER CHECK (persons >= 0),
    case_ids      VARCHAR[] NOT NULL,   -- distinct, sorted; cases handed over or dispatched
    note          VARCHAR,
    source_file   VARCHAR,
    source_row    INTEGER,
    import_batch  VARCHAR
);

-- An imported 坐班接访 roster (ACCOUNTABILITY.md §3); township '' is the county's own roster.
CREATE TABLE IF NOT EXISTS duty_roster (
    duty_on      DATE NOT NULL,
    township     VARCHAR NOT NULL,
    leader       VARCHAR NOT NULL,
    substitute   VARCHAR,
    source_file  VARCHAR,
    source_row   INTEGER,
    import_batch VARCHAR,
    PRIMARY KEY (duty_on, township)
);

-- How a case was answered (处理意见), from an export column named in [import.kept_headers]: not a
-- field of SCHEMA.md, so kept beside the cases. A blank cell never erases a stored answer; the
-- newest import that carries one wins. Unique by case_id as `cases` is (merged, no key).
CREATE TABLE IF NOT EXISTS case_answers (
    case_id      VARCHAR NOT NULL,
    answer       VARCHAR NOT NULL,
    source_file  VARCHAR,
    import_batch VARCHAR
);

-- 研判 (queries/ingest/terms.py): each distinct 信访事由 is segmented once, however many cases
-- carry it (term_texts, text_terms); a case records the id of its text with its date and scope
-- columns (case_texts), so counting terms for a scope and period counts cases per text and needs
-- no join with the cases. The view case_terms (one row per case and term) is created by
-- terms.py. term_df (document frequencies) is recounted after each import.
CREATE TABLE IF NOT EXISTS term_texts (text_id INTEGER NOT NULL, summary VARCHAR NOT NULL, doc_len INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS text_terms (
    text_id INTEGER NOT NULL,
    term    VARCHAR NOT NULL,
    tf      INTEGER NOT NULL,   -- occurrences in the text
    doc_len INTEGER NOT NULL    -- all term occurrences of the text (BM25's length)
);
CREATE TABLE IF NOT EXISTS case_texts (
    case_id       VARCHAR NOT NULL,
    text_id       INTEGER NOT NULL,
    registered_on DATE NOT NULL,
    township      VARCHAR,            -- the case's scope columns, copied so that counting terms
    village       VARCHAR,            -- for a scope and period needs no join with the cases
    category      VARCHAR,
    channel       VARCHAR
);
CREATE TABLE IF NOT EXISTS case_groups (   -- with the case's date and scope columns, like case_texts
    case_id VARCHAR NOT NULL, grp VARCHAR NOT NULL, registered_on DATE NOT NULL,
    township VARCHAR, village VARCHAR, category VARCHAR, channel VARCHAR
);
CREATE TABLE IF NOT EXISTS term_df (term VARCHAR NOT NULL, df INTEGER NOT NULL, is_place BOOLEAN NOT NULL);
