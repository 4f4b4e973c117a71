#include "sitevisit/core/migrations.h"

#include <string>

namespace sitevisit {

namespace {

// Version 1: the first schema. Every entity table holds its fields plus the sync columns
// (rows that hang off a parent are found through it, so they carry no school index):
// _seq (server sequence of the version last seen from the server, the `base` of the next
// edit), _hlc (clock of the last edit) and _deleted (tombstone).
const char* const kV1 = R"sql(
CREATE TABLE "region" (
  "id" TEXT PRIMARY KEY NOT NULL,
  "school" TEXT NOT NULL DEFAULT '',
  "name" TEXT,
  "code" TEXT,
  "_seq" INTEGER NOT NULL DEFAULT 0,
  "_hlc" TEXT,
  "_deleted" INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX "region_school" ON "region"("school");
CREATE TABLE "district" (
  "id" TEXT PRIMARY KEY NOT NULL,
  "school" TEXT NOT NULL DEFAULT '',
  "region" TEXT,
  "code" TEXT,
  "name" TEXT,
  "_seq" INTEGER NOT NULL DEFAULT 0,
  "_hlc" TEXT,
  "_deleted" INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX "district_school" ON "district"("school");
CREATE INDEX "district_region" ON "district"("region");
CREATE TABLE "school" (
  "id" TEXT PRIMARY KEY NOT NULL,
  "school" TEXT NOT NULL DEFAULT '',
  "district" TEXT,
  "code" TEXT,
  "name" TEXT,
  "level" TEXT,
  "category" TEXT,
  "percentile" INTEGER,
  "designation" TEXT,
  "_seq" INTEGER NOT NULL DEFAULT 0,
  "_hlc" TEXT,
  "_deleted" INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX "school_school" ON "school"("school");
CREATE INDEX "school_district" ON "school"("district");
CREATE TABLE "user" (
  "id" TEXT PRIMARY KEY NOT NULL,
  "school" TEXT NOT NULL DEFAULT '',
  "email" TEXT,
  "name" TEXT,
  "role" TEXT,
  "region" TEXT,
  "districts" TEXT,
  "schools" TEXT,
  "active" INTEGER,
  "_seq" INTEGER NOT NULL DEFAULT 0,
  "_hlc" TEXT,
  "_deleted" INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX "user_school" ON "user"("school");
CREATE TABLE "rubric" (
  "id" TEXT PRIMARY KEY NOT NULL,
  "school" TEXT NOT NULL DEFAULT '',
  "year" TEXT,
  "level" TEXT,
  "name" TEXT,
  "version" TEXT,
  "_seq" INTEGER NOT NULL DEFAULT 0,
  "_hlc" TEXT,
  "_deleted" INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX "rubric_school" ON "rubric"("school");
CREATE TABLE "indicator" (
  "id" TEXT PRIMARY KEY NOT NULL,
  "school" TEXT NOT NULL DEFAULT '',
  "rubric" TEXT,
  "practice" INTEGER,
  "code" TEXT,
  "name" TEXT,
  "placeholder" INTEGER,
  "_seq" INTEGER NOT NULL DEFAULT 0,
  "_hlc" TEXT,
  "_deleted" INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX "indicator_school" ON "indicator"("school");
CREATE TABLE "plan" (
  "id" TEXT PRIMARY KEY NOT NULL,
  "school" TEXT NOT NULL DEFAULT '',
  "kind" TEXT,
  "title" TEXT,
  "first_year" TEXT,
  "last_year" TEXT,
  "_seq" INTEGER NOT NULL DEFAULT 0,
  "_hlc" TEXT,
  "_deleted" INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX "plan_school" ON "plan"("school");
CREATE TABLE "objective" (
  "id" TEXT PRIMARY KEY NOT NULL,
  "school" TEXT NOT NULL DEFAULT '',
  "plan" TEXT,
  "title" TEXT,
  "practice" INTEGER,
  "position" INTEGER,
  "_seq" INTEGER NOT NULL DEFAULT 0,
  "_hlc" TEXT,
  "_deleted" INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX "objective_plan" ON "objective"("plan");
CREATE TABLE "initiative" (
  "id" TEXT PRIMARY KEY NOT NULL,
  "school" TEXT NOT NULL DEFAULT '',
  "objective" TEXT,
  "title" TEXT,
  "description" TEXT,
  "_seq" INTEGER NOT NULL DEFAULT 0,
  "_hlc" TEXT,
  "_deleted" INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX "initiative_objective" ON "initiative"("objective");
CREATE TABLE "benchmark" (
  "id" TEXT PRIMARY KEY NOT NULL,
  "school" TEXT NOT NULL DEFAULT '',
  "initiative" TEXT,
  "type" TEXT,
  "audience" TEXT,
  "measure" TEXT,
  "unit" TEXT,
  "baseline" REAL,
  "baseline_date" TEXT,
  "target" REAL,
  "due" TEXT,
  "cadence" TEXT,
  "_seq" INTEGER NOT NULL DEFAULT 0,
  "_hlc" TEXT,
  "_deleted" INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX "benchmark_initiative" ON "benchmark"("initiative");
CREATE TABLE "reading" (
  "id" TEXT PRIMARY KEY NOT NULL,
  "school" TEXT NOT NULL DEFAULT '',
  "benchmark" TEXT,
  "date" TEXT,
  "value" REAL,
  "note" TEXT,
  "recorded_by" TEXT,
  "_seq" INTEGER NOT NULL DEFAULT 0,
  "_hlc" TEXT,
  "_deleted" INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX "reading_benchmark" ON "reading"("benchmark");
CREATE TABLE "reflection" (
  "id" TEXT PRIMARY KEY NOT NULL,
  "school" TEXT NOT NULL DEFAULT '',
  "plan" TEXT,
  "year" TEXT,
  "worked" TEXT,
  "worked_evidence" TEXT,
  "not_worked" TEXT,
  "not_worked_evidence" TEXT,
  "stakeholders" TEXT,
  "decisions" TEXT,
  "_seq" INTEGER NOT NULL DEFAULT 0,
  "_hlc" TEXT,
  "_deleted" INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX "reflection_plan" ON "reflection"("plan");
CREATE TABLE "visit" (
  "id" TEXT PRIMARY KEY NOT NULL,
  "school" TEXT NOT NULL DEFAULT '',
  "kind" TEXT,
  "rubric" TEXT,
  "start_date" TEXT,
  "end_date" TEXT,
  "team" TEXT,
  "status" TEXT,
  "_seq" INTEGER NOT NULL DEFAULT 0,
  "_hlc" TEXT,
  "_deleted" INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX "visit_school" ON "visit"("school");
CREATE TABLE "observation" (
  "id" TEXT PRIMARY KEY NOT NULL,
  "school" TEXT NOT NULL DEFAULT '',
  "visit" TEXT,
  "indicator" TEXT,
  "rating" INTEGER,
  "note" TEXT,
  "source" TEXT,
  "grade" TEXT,
  "subject" TEXT,
  "room" TEXT,
  "time" TEXT,
  "_seq" INTEGER NOT NULL DEFAULT 0,
  "_hlc" TEXT,
  "_deleted" INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX "observation_visit" ON "observation"("visit");
CREATE TABLE "evidence" (
  "id" TEXT PRIMARY KEY NOT NULL,
  "school" TEXT NOT NULL DEFAULT '',
  "title" TEXT,
  "description" TEXT,
  "kind" TEXT,
  "sha256" TEXT,
  "size" INTEGER,
  "media_type" TEXT,
  "uploaded_by" TEXT,
  "taken_at" TEXT,
  "benchmarks" TEXT,
  "indicators" TEXT,
  "observations" TEXT,
  "_seq" INTEGER NOT NULL DEFAULT 0,
  "_hlc" TEXT,
  "_deleted" INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX "evidence_school" ON "evidence"("school");
CREATE TABLE "review" (
  "id" TEXT PRIMARY KEY NOT NULL,
  "school" TEXT NOT NULL DEFAULT '',
  "evidence" TEXT,
  "reviewer" TEXT,
  "decision" TEXT,
  "comment" TEXT,
  "at" TEXT,
  "_seq" INTEGER NOT NULL DEFAULT 0,
  "_hlc" TEXT,
  "_deleted" INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX "review_evidence" ON "review"("evidence");
CREATE TABLE "comment" (
  "id" TEXT PRIMARY KEY NOT NULL,
  "school" TEXT NOT NULL DEFAULT '',
  "target_entity" TEXT,
  "target" TEXT,
  "author" TEXT,
  "body" TEXT,
  "at" TEXT,
  "_seq" INTEGER NOT NULL DEFAULT 0,
  "_hlc" TEXT,
  "_deleted" INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX "comment_school" ON "comment"("school");
CREATE TABLE "conflict" (
  "id" TEXT PRIMARY KEY NOT NULL,
  "school" TEXT NOT NULL DEFAULT '',
  "entity" TEXT,
  "row" TEXT,
  "field" TEXT,
  "winner_value" TEXT,
  "loser_value" TEXT,
  "winner_author" TEXT,
  "loser_author" TEXT,
  "winner_hlc" TEXT,
  "loser_hlc" TEXT,
  "status" TEXT,
  "resolution" TEXT,
  "resolved_by" TEXT,
  "_seq" INTEGER NOT NULL DEFAULT 0,
  "_hlc" TEXT,
  "_deleted" INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX "conflict_school" ON "conflict"("school");
CREATE TABLE "device_state" (
  "id" INTEGER PRIMARY KEY CHECK ("id" = 1),
  "device" TEXT NOT NULL,
  "dseq" INTEGER NOT NULL DEFAULT 0,
  "hlc" TEXT NOT NULL DEFAULT '',
  "cursor" INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE "outbox" (
  "dseq" INTEGER PRIMARY KEY NOT NULL,
  "op" TEXT NOT NULL,
  "entity" TEXT NOT NULL,
  "row_id" TEXT NOT NULL,
  "school" TEXT NOT NULL,
  "kind" TEXT NOT NULL,
  "fields" TEXT NOT NULL,
  "hlc" TEXT NOT NULL,
  "base" INTEGER NOT NULL,
  "schema" INTEGER NOT NULL,
  "state" TEXT NOT NULL DEFAULT 'pending',
  "error" TEXT
);
CREATE INDEX "outbox_row" ON "outbox"("entity", "row_id");
CREATE TABLE "audit" (
  "id" INTEGER PRIMARY KEY,
  "at" TEXT NOT NULL,
  "actor" TEXT NOT NULL,
  "device" TEXT NOT NULL,
  "op" TEXT NOT NULL,
  "entity" TEXT NOT NULL,
  "row_id" TEXT NOT NULL,
  "school" TEXT NOT NULL,
  "kind" TEXT NOT NULL,
  "before" TEXT NOT NULL,
  "after" TEXT NOT NULL
);)sql";

// Version 2: remote changes this build could not apply are kept, not dropped; push attempts
// are counted; indexes for the lists the app shows.
const char* const kV2 = R"sql(
CREATE TABLE "remote_reject" (
  "seq" INTEGER PRIMARY KEY NOT NULL,
  "op" TEXT NOT NULL,
  "entity" TEXT NOT NULL,
  "row_id" TEXT NOT NULL,
  "reason" TEXT NOT NULL,
  "change" TEXT NOT NULL,
  "at" TEXT NOT NULL
);
ALTER TABLE "outbox" ADD COLUMN "attempts" INTEGER NOT NULL DEFAULT 0;
CREATE INDEX "visit_school_start" ON "visit"("school", "start_date");
CREATE INDEX "reading_benchmark_date" ON "reading"("benchmark", "date");)sql";

// Version 3: the sync engine's state: the signed-in session, and evidence files waiting to be
// uploaded or downloaded (with how far an upload got, to resume after a restart).
const char* const kV3 = R"sql(
CREATE TABLE "session" (
  "id" INTEGER PRIMARY KEY CHECK ("id" = 1),
  "server" TEXT NOT NULL,
  "token" TEXT NOT NULL,
  "expires" TEXT NOT NULL,
  "user" TEXT NOT NULL
);
CREATE TABLE "blob_queue" (
  "sha256" TEXT PRIMARY KEY NOT NULL,
  "path" TEXT NOT NULL,
  "size" INTEGER NOT NULL,
  "direction" TEXT NOT NULL,
  "sent" INTEGER NOT NULL DEFAULT 0,
  "state" TEXT NOT NULL DEFAULT 'pending',
  "error" TEXT
);)sql";

// Version 4: whose data the device holds, so another person signing in on it starts from an
// empty device instead of seeing (and sending as) someone else's.
const char* const kV4 = R"sql(
ALTER TABLE "device_state" ADD COLUMN "owner" TEXT NOT NULL DEFAULT '';
UPDATE "device_state" SET "owner" = COALESCE((SELECT json_extract("user", '$.id') FROM "session" WHERE "id" = 1),
                                             (SELECT "actor" FROM "audit" ORDER BY "id" DESC LIMIT 1), '');)sql";

// Version 5: when the device last finished a sync, so "last synced" survives a restart, and
// where and as whom it last signed in, so signing in again (after sign-out) starts filled in.
const char* const kV5 = R"sql(
ALTER TABLE "device_state" ADD COLUMN "last_sync" TEXT NOT NULL DEFAULT '';
ALTER TABLE "device_state" ADD COLUMN "last_server" TEXT NOT NULL DEFAULT '';
ALTER TABLE "device_state" ADD COLUMN "last_email" TEXT NOT NULL DEFAULT '';
UPDATE "device_state" SET "last_server" = COALESCE((SELECT "server" FROM "session" WHERE "id" = 1), ''),
                          "last_email" = COALESCE((SELECT json_extract("user", '$.email') FROM "session" WHERE "id" = 1), '');)sql";

// Version 6: device settings that outlive a session: a private certificate authority to trust
// (a PEM file path) and the device secret the server gave at this device's first sign-in
// (JSON {"server","secret","keyring"}; the secret itself is in the credential store when
// "keyring" is true).
const char* const kV6 = R"sql(
ALTER TABLE "device_state" ADD COLUMN "ca_file" TEXT NOT NULL DEFAULT '';
ALTER TABLE "device_state" ADD COLUMN "device_secret" TEXT NOT NULL DEFAULT '';)sql";

// Version 7: data schema 2 (next steps; a plan's goal; an initiative's owner, dates and status;
// a benchmark's direction; a visit's strengths and areas for growth per practice), and what the
// server held back for a newer data schema: the cursor to pull again from after an update,
// how many were held, and the data schema the device had then.
const char* const kV7 = R"sql(
ALTER TABLE "plan" ADD COLUMN "goal" TEXT;
ALTER TABLE "initiative" ADD COLUMN "owner" TEXT;
ALTER TABLE "initiative" ADD COLUMN "start" TEXT;
ALTER TABLE "initiative" ADD COLUMN "end" TEXT;
ALTER TABLE "initiative" ADD COLUMN "status" TEXT;
ALTER TABLE "benchmark" ADD COLUMN "direction" TEXT;
ALTER TABLE "visit" ADD COLUMN "strengths" TEXT;
ALTER TABLE "visit" ADD COLUMN "areas_for_growth" TEXT;
CREATE TABLE "next_step" (
  "id" TEXT PRIMARY KEY NOT NULL,
  "school" TEXT NOT NULL DEFAULT '',
  "title" TEXT,
  "description" TEXT,
  "owner" TEXT,
  "due_date" TEXT,
  "status" TEXT,
  "return_note" TEXT,
  "visit" TEXT,
  "indicator" TEXT,
  "benchmark" TEXT,
  "_seq" INTEGER NOT NULL DEFAULT 0,
  "_hlc" TEXT,
  "_deleted" INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX "next_step_school" ON "next_step"("school", "due_date");
CREATE INDEX "next_step_visit" ON "next_step"("visit");
ALTER TABLE "device_state" ADD COLUMN "held_since" INTEGER NOT NULL DEFAULT -1;
ALTER TABLE "device_state" ADD COLUMN "held_count" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "device_state" ADD COLUMN "held_schema" INTEGER NOT NULL DEFAULT 0;)sql";

// Version 8: changes the server acknowledged are kept for a while (`sent`), so a device can
// send them again to a server restored from an older backup; the store epoch the device last
// synced with, and whether it is recovering from a restore (SYNC.md, "Restores and epochs").
const char* const kV8 = R"sql(
CREATE TABLE "sent" (
  "dseq" INTEGER PRIMARY KEY NOT NULL,
  "op" TEXT NOT NULL,
  "entity" TEXT NOT NULL,
  "row_id" TEXT NOT NULL,
  "school" TEXT NOT NULL,
  "kind" TEXT NOT NULL,
  "fields" TEXT NOT NULL,
  "hlc" TEXT NOT NULL,
  "base" INTEGER NOT NULL,
  "schema" INTEGER NOT NULL,
  "acked_at" INTEGER NOT NULL
);
CREATE INDEX "sent_acked_at" ON "sent"("acked_at");
ALTER TABLE "device_state" ADD COLUMN "epoch" TEXT NOT NULL DEFAULT '';
ALTER TABLE "device_state" ADD COLUMN "resync" INTEGER NOT NULL DEFAULT 0;)sql";

// Version 9: data schema 3 (team visits): each rater's own ratings, whether a rater is done, and
// who marked a visit reviewed with what comment.
const char* const kV9 = R"sql(
CREATE TABLE "rating" (
  "id" TEXT PRIMARY KEY NOT NULL,
  "school" TEXT NOT NULL DEFAULT '',
  "visit" TEXT,
  "indicator" TEXT,
  "rater" TEXT,
  "level" INTEGER,
  "note" TEXT,
  "_seq" INTEGER NOT NULL DEFAULT 0,
  "_hlc" TEXT,
  "_deleted" INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX "rating_visit" ON "rating"("visit");
CREATE TABLE "rater" (
  "id" TEXT PRIMARY KEY NOT NULL,
  "school" TEXT NOT NULL DEFAULT '',
  "visit" TEXT,
  "user" TEXT,
  "done" INTEGER,
  "done_at" TEXT,
  "_seq" INTEGER NOT NULL DEFAULT 0,
  "_hlc" TEXT,
  "_deleted" INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX "rater_visit" ON "rater"("visit");
ALTER TABLE "visit" ADD COLUMN "reviewed_by" TEXT;
ALTER TABLE "visit" ADD COLUMN "review_comment" TEXT;)sql";

// Version 10: data schema 4: monitoring meetings (the district_leader role is a value, not a
// column).
const char* const kV10 = R"sql(
CREATE TABLE "monitoring_meeting" (
  "id" TEXT PRIMARY KEY NOT NULL,
  "school" TEXT NOT NULL DEFAULT '',
  "date" TEXT,
  "team" TEXT,
  "benchmarks" TEXT,
  "notes" TEXT,
  "next_steps" TEXT,
  "recorded_by" TEXT,
  "_seq" INTEGER NOT NULL DEFAULT 0,
  "_hlc" TEXT,
  "_deleted" INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX "monitoring_meeting_school" ON "monitoring_meeting"("school", "date");)sql";

// Version 11: data schema 5: plan drafts and revisions, the reflection's submission.
const char* const kV11 = R"sql(
ALTER TABLE "plan" ADD COLUMN "status" TEXT;
ALTER TABLE "plan" ADD COLUMN "previous" TEXT;
ALTER TABLE "reflection" ADD COLUMN "district_systems" TEXT;
ALTER TABLE "reflection" ADD COLUMN "reasons" TEXT;
ALTER TABLE "reflection" ADD COLUMN "status" TEXT;
CREATE TABLE "plan_revision" (
  "id" TEXT PRIMARY KEY NOT NULL,
  "school" TEXT NOT NULL DEFAULT '',
  "plan" TEXT,
  "entity" TEXT,
  "row" TEXT,
  "action" TEXT,
  "changes" TEXT,
  "by" TEXT,
  "at" TEXT,
  "_seq" INTEGER NOT NULL DEFAULT 0,
  "_hlc" TEXT,
  "_deleted" INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX "plan_revision_plan" ON "plan_revision"("plan", "at");)sql";

const std::vector<Migration> kMigrations = {
    {1, "first schema: entities, outbox, audit, device state", kV1},
    {2, "remote rejects, outbox attempts, list indexes", kV2},
    {3, "sync session and blob queue", kV3},
    {4, "the device's owner", kV4},
    {5, "last sync, last server and email", kV5},
    {6, "trusted CA file and device secret", kV6},
    {7, "data schema 2: next steps and new plan and visit fields; held-back changes", kV7},
    {8, "acknowledged changes kept for a restored server; store epoch", kV8},
    {9, "data schema 3: each rater's ratings of a team visit, raters done, visit review", kV9},
    {10, "data schema 4: monitoring meetings", kV10},
    {11, "data schema 5: plan drafts and revisions, reflection submission", kV11},
};

} // namespace

const std::vector<Migration>& store_migrations() {
    return kMigrations;
}

int latest_store_version() {
    return kMigrations.back().version;
}

int user_version(Database& db) {
    auto& st = db.cached("PRAGMA user_version");
    st.step();
    int v = static_cast<int>(st.int64(0));
    st.reset();
    return v;
}

Status migrate_store(Database& db, int target) {
    if (target <= 0) target = latest_store_version();
    try {
        int current = user_version(db);
        if (current > latest_store_version())
            return Error{ErrorCode::Unsupported,
                         "this file was written by a newer Site Visit (schema " +
                             std::to_string(current) + "); this build knows schema " +
                             std::to_string(latest_store_version()) +
                             " at most. Update the app; the file was not changed."};
        for (const auto& m : kMigrations) {
            if (m.version <= current || m.version > target) continue;
            Transaction tx(db);
            db.exec(m.sql);
            db.exec("PRAGMA user_version = " + std::to_string(m.version));
            tx.commit();
        }
    } catch (const SqliteError& e) {
        return Error{ErrorCode::Storage, std::string("migrating the store failed: ") + e.what()};
    }
    return ok_status();
}

} // namespace sitevisit
