-- A store written by the released step-2 server (schema 2, before rows kept their field
-- versions): `init`, one school imported, admin@step2.org (password step-two-password),
-- device tablet-a pushed a visit and an observation (op ...a2, seq 7), then edited the
-- observation's rating and note (op ...a3, seq 8). Made with `sqlite3 server.db .dump`;
-- user_version (2) is set by the test that loads it (server_ingest_test.cpp).
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE rows (
  entity TEXT NOT NULL, id TEXT NOT NULL, school TEXT NOT NULL, fields TEXT NOT NULL,
  seq INTEGER NOT NULL, hlc TEXT NOT NULL DEFAULT '', deleted INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (entity, id)) WITHOUT ROWID;
INSERT INTO "rows" VALUES('district','01a230ff-b31a-76ba-a67f-f008bb690827','01a230ff-b31a-76ba-a67f-f008bb690827','{"code":"00350000","name":"Harbor City","region":"01a230ff-b30e-73e5-9174-d2545c546425"}',2,'2026-12-01T09:46:33.626Z-0000-server',0);
INSERT INTO "rows" VALUES('observation','01900000-0000-7000-8000-00000000000b','01a230ff-b31d-767c-b73e-16d1ea180870','{"indicator":"msv-2026-2027-elementary/2.1","note":"second","rating":2,"source":"classroom_observation","visit":"01900000-0000-7000-8000-00000000000a"}',8,'2026-12-01T09:46:35.209Z-0000-tablet-a',0);
INSERT INTO "rows" VALUES('region','01a230ff-b30e-73e5-9174-d2545c546425','01a230ff-b30e-73e5-9174-d2545c546425','{"code":"Coastal","name":"Coastal"}',1,'2026-12-01T09:46:33.614Z-0000-server',0);
INSERT INTO "rows" VALUES('school','01a230ff-b31d-767c-b73e-16d1ea180870','01a230ff-b31d-767c-b73e-16d1ea180870','{"code":"00350123","designation":"chronically_underperforming","district":"01a230ff-b31a-76ba-a67f-f008bb690827","level":"elementary","name":"Lincoln Elementary"}',3,'2026-12-01T09:46:33.629Z-0000-server',0);
INSERT INTO "rows" VALUES('user','01a230ff-b390-70c1-a603-f362cd861eb3','','{"active":true,"districts":[],"email":"admin@step2.org","name":"Ada Admin","role":"admin","schools":[]}',4,'2026-12-01T09:46:33.744Z-0000-server',0);
INSERT INTO "rows" VALUES('visit','01900000-0000-7000-8000-00000000000a','01a230ff-b31d-767c-b73e-16d1ea180870','{"kind":"walkthrough","rubric":"msv-2026-2027-elementary","start_date":"2026-11-23","status":"draft","team":["01a230ff-b390-70c1-a603-f362cd861eb3"]}',6,'2026-12-01T09:46:35.204Z-0001-tablet-a',0);
CREATE TABLE field_versions (
  entity TEXT NOT NULL, id TEXT NOT NULL, field TEXT NOT NULL, seq INTEGER NOT NULL,
  hlc TEXT NOT NULL, author TEXT NOT NULL, device TEXT NOT NULL,
  PRIMARY KEY (entity, id, field)) WITHOUT ROWID;
INSERT INTO field_versions VALUES('district','01a230ff-b31a-76ba-a67f-f008bb690827','code',2,'2026-12-01T09:46:33.626Z-0000-server','00000000-0000-7000-8000-000000000000','server');
INSERT INTO field_versions VALUES('district','01a230ff-b31a-76ba-a67f-f008bb690827','name',2,'2026-12-01T09:46:33.626Z-0000-server','00000000-0000-7000-8000-000000000000','server');
INSERT INTO field_versions VALUES('district','01a230ff-b31a-76ba-a67f-f008bb690827','region',2,'2026-12-01T09:46:33.626Z-0000-server','00000000-0000-7000-8000-000000000000','server');
INSERT INTO field_versions VALUES('observation','01900000-0000-7000-8000-00000000000b','indicator',7,'2026-12-01T09:46:35.204Z-0002-tablet-a','01a230ff-b390-70c1-a603-f362cd861eb3','01a230ff-b390-70c1-a603-f362cd861eb3/tablet-a');
INSERT INTO field_versions VALUES('observation','01900000-0000-7000-8000-00000000000b','note',8,'2026-12-01T09:46:35.209Z-0000-tablet-a','01a230ff-b390-70c1-a603-f362cd861eb3','01a230ff-b390-70c1-a603-f362cd861eb3/tablet-a');
INSERT INTO field_versions VALUES('observation','01900000-0000-7000-8000-00000000000b','rating',8,'2026-12-01T09:46:35.209Z-0000-tablet-a','01a230ff-b390-70c1-a603-f362cd861eb3','01a230ff-b390-70c1-a603-f362cd861eb3/tablet-a');
INSERT INTO field_versions VALUES('observation','01900000-0000-7000-8000-00000000000b','source',7,'2026-12-01T09:46:35.204Z-0002-tablet-a','01a230ff-b390-70c1-a603-f362cd861eb3','01a230ff-b390-70c1-a603-f362cd861eb3/tablet-a');
INSERT INTO field_versions VALUES('observation','01900000-0000-7000-8000-00000000000b','visit',7,'2026-12-01T09:46:35.204Z-0002-tablet-a','01a230ff-b390-70c1-a603-f362cd861eb3','01a230ff-b390-70c1-a603-f362cd861eb3/tablet-a');
INSERT INTO field_versions VALUES('region','01a230ff-b30e-73e5-9174-d2545c546425','code',1,'2026-12-01T09:46:33.614Z-0000-server','00000000-0000-7000-8000-000000000000','server');
INSERT INTO field_versions VALUES('region','01a230ff-b30e-73e5-9174-d2545c546425','name',1,'2026-12-01T09:46:33.614Z-0000-server','00000000-0000-7000-8000-000000000000','server');
INSERT INTO field_versions VALUES('school','01a230ff-b31d-767c-b73e-16d1ea180870','code',3,'2026-12-01T09:46:33.629Z-0000-server','00000000-0000-7000-8000-000000000000','server');
INSERT INTO field_versions VALUES('school','01a230ff-b31d-767c-b73e-16d1ea180870','designation',3,'2026-12-01T09:46:33.629Z-0000-server','00000000-0000-7000-8000-000000000000','server');
INSERT INTO field_versions VALUES('school','01a230ff-b31d-767c-b73e-16d1ea180870','district',3,'2026-12-01T09:46:33.629Z-0000-server','00000000-0000-7000-8000-000000000000','server');
INSERT INTO field_versions VALUES('school','01a230ff-b31d-767c-b73e-16d1ea180870','level',3,'2026-12-01T09:46:33.629Z-0000-server','00000000-0000-7000-8000-000000000000','server');
INSERT INTO field_versions VALUES('school','01a230ff-b31d-767c-b73e-16d1ea180870','name',3,'2026-12-01T09:46:33.629Z-0000-server','00000000-0000-7000-8000-000000000000','server');
INSERT INTO field_versions VALUES('user','01a230ff-b390-70c1-a603-f362cd861eb3','active',4,'2026-12-01T09:46:33.744Z-0000-server','00000000-0000-7000-8000-000000000000','server');
INSERT INTO field_versions VALUES('user','01a230ff-b390-70c1-a603-f362cd861eb3','districts',4,'2026-12-01T09:46:33.744Z-0000-server','00000000-0000-7000-8000-000000000000','server');
INSERT INTO field_versions VALUES('user','01a230ff-b390-70c1-a603-f362cd861eb3','email',4,'2026-12-01T09:46:33.744Z-0000-server','00000000-0000-7000-8000-000000000000','server');
INSERT INTO field_versions VALUES('user','01a230ff-b390-70c1-a603-f362cd861eb3','name',4,'2026-12-01T09:46:33.744Z-0000-server','00000000-0000-7000-8000-000000000000','server');
INSERT INTO field_versions VALUES('user','01a230ff-b390-70c1-a603-f362cd861eb3','role',4,'2026-12-01T09:46:33.744Z-0000-server','00000000-0000-7000-8000-000000000000','server');
INSERT INTO field_versions VALUES('user','01a230ff-b390-70c1-a603-f362cd861eb3','schools',4,'2026-12-01T09:46:33.744Z-0000-server','00000000-0000-7000-8000-000000000000','server');
INSERT INTO field_versions VALUES('visit','01900000-0000-7000-8000-00000000000a','kind',5,'2026-12-01T09:46:35.204Z-0001-tablet-a','01a230ff-b390-70c1-a603-f362cd861eb3','01a230ff-b390-70c1-a603-f362cd861eb3/tablet-a');
INSERT INTO field_versions VALUES('visit','01900000-0000-7000-8000-00000000000a','rubric',5,'2026-12-01T09:46:35.204Z-0001-tablet-a','01a230ff-b390-70c1-a603-f362cd861eb3','01a230ff-b390-70c1-a603-f362cd861eb3/tablet-a');
INSERT INTO field_versions VALUES('visit','01900000-0000-7000-8000-00000000000a','start_date',5,'2026-12-01T09:46:35.204Z-0001-tablet-a','01a230ff-b390-70c1-a603-f362cd861eb3','01a230ff-b390-70c1-a603-f362cd861eb3/tablet-a');
INSERT INTO field_versions VALUES('visit','01900000-0000-7000-8000-00000000000a','status',5,'2026-12-01T09:46:35.204Z-0001-tablet-a','01a230ff-b390-70c1-a603-f362cd861eb3','01a230ff-b390-70c1-a603-f362cd861eb3/tablet-a');
INSERT INTO field_versions VALUES('visit','01900000-0000-7000-8000-00000000000a','team',5,'2026-12-01T09:46:35.204Z-0001-tablet-a','01a230ff-b390-70c1-a603-f362cd861eb3','01a230ff-b390-70c1-a603-f362cd861eb3/tablet-a');
CREATE TABLE changes (
  seq INTEGER PRIMARY KEY, op TEXT NOT NULL, entity TEXT NOT NULL, row_id TEXT NOT NULL,
  school TEXT NOT NULL, kind TEXT NOT NULL, fields TEXT NOT NULL, hlc TEXT NOT NULL,
  base INTEGER NOT NULL, dseq INTEGER NOT NULL, schema INTEGER NOT NULL,
  author TEXT NOT NULL, device TEXT NOT NULL, visit TEXT NOT NULL DEFAULT '',
  for_device TEXT NOT NULL DEFAULT '');
INSERT INTO changes VALUES(1,'01a230ff-b30e-73e6-b1a5-45d8bed9330f','region','01a230ff-b30e-73e5-9174-d2545c546425','01a230ff-b30e-73e5-9174-d2545c546425','upsert','{"code":"Coastal","name":"Coastal"}','2026-12-01T09:46:33.614Z-0000-server',0,1,2,'00000000-0000-7000-8000-000000000000','server','','');
INSERT INTO changes VALUES(2,'01a230ff-b31a-76bb-b1f4-62e0d0598ce8','district','01a230ff-b31a-76ba-a67f-f008bb690827','01a230ff-b31a-76ba-a67f-f008bb690827','upsert','{"code":"00350000","name":"Harbor City","region":"01a230ff-b30e-73e5-9174-d2545c546425"}','2026-12-01T09:46:33.626Z-0000-server',0,1,2,'00000000-0000-7000-8000-000000000000','server','','');
INSERT INTO changes VALUES(3,'01a230ff-b31d-767d-a5a4-c54b88fceadd','school','01a230ff-b31d-767c-b73e-16d1ea180870','01a230ff-b31d-767c-b73e-16d1ea180870','upsert','{"code":"00350123","designation":"chronically_underperforming","district":"01a230ff-b31a-76ba-a67f-f008bb690827","level":"elementary","name":"Lincoln Elementary"}','2026-12-01T09:46:33.629Z-0000-server',0,1,2,'00000000-0000-7000-8000-000000000000','server','','');
INSERT INTO changes VALUES(4,'01a230ff-b390-70c2-89b3-bf37069a0f8d','user','01a230ff-b390-70c1-a603-f362cd861eb3','','upsert','{"active":true,"districts":[],"email":"admin@step2.org","name":"Ada Admin","role":"admin","schools":[]}','2026-12-01T09:46:33.744Z-0000-server',0,1,2,'00000000-0000-7000-8000-000000000000','server','','');
INSERT INTO changes VALUES(5,'01900000-0000-7000-8000-0000000000a1','visit','01900000-0000-7000-8000-00000000000a','01a230ff-b31d-767c-b73e-16d1ea180870','upsert','{"kind":"walkthrough","rubric":"msv-2026-2027-elementary","start_date":"2026-11-23","status":"draft","team":["01a230ff-b390-70c1-a603-f362cd861eb3"]}','2026-12-01T09:46:35.204Z-0001-tablet-a',0,1,1,'01a230ff-b390-70c1-a603-f362cd861eb3','01a230ff-b390-70c1-a603-f362cd861eb3/tablet-a','01900000-0000-7000-8000-00000000000a','');
INSERT INTO changes VALUES(6,'01a230ff-b951-7458-853c-364e24a1163d','visit','01900000-0000-7000-8000-00000000000a','01a230ff-b31d-767c-b73e-16d1ea180870','upsert','{"kind":"walkthrough","rubric":"msv-2026-2027-elementary","start_date":"2026-11-23","status":"draft","team":["01a230ff-b390-70c1-a603-f362cd861eb3"]}','2026-12-01T09:46:35.204Z-0001-tablet-a',5,1,2,'00000000-0000-7000-8000-000000000000','server','01900000-0000-7000-8000-00000000000a','');
INSERT INTO changes VALUES(7,'01900000-0000-7000-8000-0000000000a2','observation','01900000-0000-7000-8000-00000000000b','01a230ff-b31d-767c-b73e-16d1ea180870','upsert','{"indicator":"msv-2026-2027-elementary/2.1","note":"first","rating":1,"source":"classroom_observation","visit":"01900000-0000-7000-8000-00000000000a"}','2026-12-01T09:46:35.204Z-0002-tablet-a',0,2,1,'01a230ff-b390-70c1-a603-f362cd861eb3','01a230ff-b390-70c1-a603-f362cd861eb3/tablet-a','01900000-0000-7000-8000-00000000000a','');
INSERT INTO changes VALUES(8,'01900000-0000-7000-8000-0000000000a3','observation','01900000-0000-7000-8000-00000000000b','01a230ff-b31d-767c-b73e-16d1ea180870','upsert','{"note":"second","rating":2}','2026-12-01T09:46:35.209Z-0000-tablet-a',7,3,1,'01a230ff-b390-70c1-a603-f362cd861eb3','01a230ff-b390-70c1-a603-f362cd861eb3/tablet-a','01900000-0000-7000-8000-00000000000a','');
CREATE TABLE ops (op TEXT PRIMARY KEY, device TEXT NOT NULL, result TEXT NOT NULL) WITHOUT ROWID;
INSERT INTO ops VALUES('01900000-0000-7000-8000-0000000000a1','01a230ff-b390-70c1-a603-f362cd861eb3/tablet-a','{"code":"","error":"","forbidden":false,"seq":5,"status":"applied"}');
INSERT INTO ops VALUES('01900000-0000-7000-8000-0000000000a2','01a230ff-b390-70c1-a603-f362cd861eb3/tablet-a','{"code":"","error":"","forbidden":false,"seq":7,"status":"applied"}');
INSERT INTO ops VALUES('01900000-0000-7000-8000-0000000000a3','01a230ff-b390-70c1-a603-f362cd861eb3/tablet-a','{"code":"","error":"","forbidden":false,"seq":8,"status":"applied"}');
CREATE TABLE devices (
  device TEXT PRIMARY KEY, user TEXT NOT NULL, dseq INTEGER NOT NULL DEFAULT 0,
  schools TEXT NOT NULL DEFAULT '[]') WITHOUT ROWID;
INSERT INTO devices VALUES('01a230ff-b390-70c1-a603-f362cd861eb3/tablet-a','01a230ff-b390-70c1-a603-f362cd861eb3',3,'[]');
CREATE TABLE accounts (
  id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE, fields TEXT NOT NULL, password_hash TEXT NOT NULL);
INSERT INTO accounts VALUES('01a230ff-b390-70c1-a603-f362cd861eb3','admin@step2.org','{"active":true,"districts":[],"email":"admin@step2.org","name":"Ada Admin","region":null,"role":"admin","schools":[]}','$argon2id$v=19$m=19456,t=2,p=1$TF2IBO+TIRLWlDnsug6spQ$PrxkDDpLKUjI21Os8SQQ09vusi/KHw0jRolOkrRl+po');
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY, user TEXT NOT NULL, device TEXT NOT NULL, expires_ms INTEGER NOT NULL);
INSERT INTO sessions VALUES('e52f840d28f28421175e742ca0a97240d43392b6fd2f2acd429f76b4e6343d4b','01a230ff-b390-70c1-a603-f362cd861eb3','tablet-a',1798710394835);
CREATE TABLE login_failures (key TEXT NOT NULL, at_ms INTEGER NOT NULL);
CREATE TABLE blobs (
  sha256 TEXT PRIMARY KEY, length INTEGER NOT NULL, received INTEGER NOT NULL,
  complete INTEGER NOT NULL, created_by TEXT NOT NULL);
CREATE TABLE blob_owners (sha256 TEXT NOT NULL, user TEXT NOT NULL, PRIMARY KEY (sha256, user)) WITHOUT ROWID;
CREATE TABLE device_secrets (
  user TEXT NOT NULL, device TEXT NOT NULL, secret_hash TEXT NOT NULL, PRIMARY KEY (user, device)) WITHOUT ROWID;
INSERT INTO device_secrets VALUES('01a230ff-b390-70c1-a603-f362cd861eb3','tablet-a','520929c46b72eca9b7df654619070f1ca72dfb50728d8efc416f9df97f39afc5');
CREATE INDEX rows_school ON rows(school);
CREATE INDEX sessions_user ON sessions(user);
CREATE INDEX login_failures_key ON login_failures(key, at_ms);
CREATE INDEX rows_evidence_blob ON rows(json_extract(fields, '$.sha256')) WHERE entity = 'evidence';
COMMIT;
