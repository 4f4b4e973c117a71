-- A device store written by schema version 1 (the first release), with a draft visit,
-- one observation and two changes waiting in the outbox. Never regenerate: it stands for
-- files already on devices.
BEGIN TRANSACTION;
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
);
INSERT INTO "audit" VALUES(1,'2026-01-12T10:05:00.000Z','0190a000-0000-7000-8000-000000000004','0190a000-0000-7000-8000-000000000de1','0190a000-0000-7000-8000-0000000000b2','observation','0190a000-0000-7000-8000-0000000000f1','0190a000-0000-7000-8000-0000000000c1','create','{}','{}');
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
CREATE TABLE "device_state" (
  "id" INTEGER PRIMARY KEY CHECK ("id" = 1),
  "device" TEXT NOT NULL,
  "dseq" INTEGER NOT NULL DEFAULT 0,
  "hlc" TEXT NOT NULL DEFAULT '',
  "cursor" INTEGER NOT NULL DEFAULT 0
);
INSERT INTO "device_state" VALUES(1,'0190a000-0000-7000-8000-000000000de1',2,'2026-01-12T10:05:00.000Z-0000-0190a000-0000-7000-8000-000000000de1',5);
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
INSERT INTO "district" VALUES('0190a000-0000-7000-8000-0000000000d1','0190a000-0000-7000-8000-0000000000d1','0190a000-0000-7000-8000-0000000000a1','00350000','Harbor City',4,NULL,0);
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
INSERT INTO "observation" VALUES('0190a000-0000-7000-8000-0000000000f1','0190a000-0000-7000-8000-0000000000c1','0190a000-0000-7000-8000-0000000000e1','msv-2026-2027-elementary/2.3',2,'Objectives posted in every room.','classroom_observation',NULL,NULL,NULL,NULL,0,'2026-01-12T10:05:00.000Z-0000-0190a000-0000-7000-8000-000000000de1',0);
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
INSERT INTO "outbox" VALUES(1,'0190a000-0000-7000-8000-0000000000b1','visit','0190a000-0000-7000-8000-0000000000e1','0190a000-0000-7000-8000-0000000000c1','upsert','{"kind":"monitoring","rubric":"msv-2026-2027-elementary","start_date":"2026-01-12","status":"draft","team":["0190a000-0000-7000-8000-000000000004"]}','2026-01-12T10:00:00.000Z-0000-0190a000-0000-7000-8000-000000000de1',0,1,'pending',NULL);
INSERT INTO "outbox" VALUES(2,'0190a000-0000-7000-8000-0000000000b2','observation','0190a000-0000-7000-8000-0000000000f1','0190a000-0000-7000-8000-0000000000c1','upsert','{"visit":"0190a000-0000-7000-8000-0000000000e1","indicator":"msv-2026-2027-elementary/2.3","rating":2,"note":"Objectives posted in every room.","source":"classroom_observation"}','2026-01-12T10:05:00.000Z-0000-0190a000-0000-7000-8000-000000000de1',0,1,'pending',NULL);
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
CREATE TABLE "region" (
  "id" TEXT PRIMARY KEY NOT NULL,
  "school" TEXT NOT NULL DEFAULT '',
  "name" TEXT,
  "code" TEXT,
  "_seq" INTEGER NOT NULL DEFAULT 0,
  "_hlc" TEXT,
  "_deleted" INTEGER NOT NULL DEFAULT 0
);
INSERT INTO "region" VALUES('0190a000-0000-7000-8000-0000000000a1','0190a000-0000-7000-8000-0000000000a1','Coastal','COAST',3,'2026-01-10T09:00:00.000Z-0000-0190a000-0000-7000-8000-000000000de1',0);
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
INSERT INTO "school" VALUES('0190a000-0000-7000-8000-0000000000c1','0190a000-0000-7000-8000-0000000000c1','0190a000-0000-7000-8000-0000000000d1','00350123','Lincoln Elementary','elementary',NULL,4,'underperforming',5,NULL,0);
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
INSERT INTO "visit" VALUES('0190a000-0000-7000-8000-0000000000e1','0190a000-0000-7000-8000-0000000000c1','monitoring','msv-2026-2027-elementary','2026-01-12',NULL,'["0190a000-0000-7000-8000-000000000004"]','draft',0,'2026-01-12T10:00:00.000Z-0000-0190a000-0000-7000-8000-000000000de1',0);
CREATE INDEX "region_school" ON "region"("school");
CREATE INDEX "district_school" ON "district"("school");
CREATE INDEX "district_region" ON "district"("region");
CREATE INDEX "school_school" ON "school"("school");
CREATE INDEX "school_district" ON "school"("district");
CREATE INDEX "user_school" ON "user"("school");
CREATE INDEX "rubric_school" ON "rubric"("school");
CREATE INDEX "indicator_school" ON "indicator"("school");
CREATE INDEX "plan_school" ON "plan"("school");
CREATE INDEX "objective_plan" ON "objective"("plan");
CREATE INDEX "initiative_objective" ON "initiative"("objective");
CREATE INDEX "benchmark_initiative" ON "benchmark"("initiative");
CREATE INDEX "reading_benchmark" ON "reading"("benchmark");
CREATE INDEX "reflection_plan" ON "reflection"("plan");
CREATE INDEX "visit_school" ON "visit"("school");
CREATE INDEX "observation_visit" ON "observation"("visit");
CREATE INDEX "evidence_school" ON "evidence"("school");
CREATE INDEX "review_evidence" ON "review"("evidence");
CREATE INDEX "comment_school" ON "comment"("school");
CREATE INDEX "conflict_school" ON "conflict"("school");
CREATE INDEX "outbox_row" ON "outbox"("entity", "row_id");
COMMIT;
PRAGMA user_version = 1;
