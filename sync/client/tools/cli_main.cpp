// sitevisit-cli: a headless device over the same store and sync engine the app uses.
#include "sitevisit/client/attachments.h"
#include "sitevisit/client/sync_engine.h"
#include "sitevisit/core/calibration.h"
#include "sitevisit/core/csv_export.h"
#include "sitevisit/core/region_rollup.h"
#include "sitevisit/core/time_format.h"
#include "visit_report.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDate>
#include <QDateTime>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QGuiApplication>
#include <QMimeDatabase>
#include <QNetworkAccessManager>
#include <QSocketNotifier>
#include <csignal>
#include <iostream>
#include <map>
#include <memory>
#include <string>

#ifndef _WIN32
#include <sys/stat.h>
#include <unistd.h>
#endif

using namespace sitevisit;
using namespace sitevisit::client;

namespace {

const char* const kUsage = R"(usage: sitevisit-cli --db FILE COMMAND
  login URL EMAIL [--ca FILE]
                         sign in (the password is read from standard input); https, or http to
                         this machine only; --ca trusts a private certificate authority (PEM)
                         for this server, kept in the store for later syncs
  sync                   push, upload, pull until up to date
  watch                  sync live until SIGTERM or SIGINT: changes written on this device (by
                         any process) are sent within about a second, and changes from others
                         are applied as they reach the server; one line per sync
  status                 what waits, what was refused, when it last synced
  put ENTITY JSON        create or change a row: {"id"?, "school"?, ...fields}
  delete ENTITY ID       delete a row
  attach FILE            queue a file for upload; prints its sha256 for an evidence row
  fetch SHA256 FILE      queue an evidence file for download to FILE (the next sync fetches it)
  conflicts              open conflicts, both values, who and when
  resolve ID VALUE       resolve a conflict with VALUE (JSON) and write it to the row
  export                 everything this device holds, as sorted JSON
  export --csv ENTITY    the rows of one entity this device holds, as CSV (RFC 4180: id, school,
                         then the fields of docs/entities.md), for spreadsheets and reports
  rate VISIT_ID INDICATOR_ID LEVEL
                         record your own rating (LEVEL 0 to 3) of an indicator at a team visit
                         (INDICATOR_ID as in the reference data: msv-2026-2027-elementary/2.3);
                         the other raters see it once you mark your ratings done
  rate-done VISIT_ID     mark your ratings of the visit done (final: they can no longer change)
  assign-caseload PERSON DISTRICT [DISTRICT [DISTRICT]]
                         set an Assistance Lead's caseload (1 to 3 districts): PERSON by email or
                         id, each DISTRICT by its state code or id; a regional director assigns
                         inside their own region (the lead's districts elsewhere are kept), an
                         admin anywhere (the list given is the whole caseload)
  calibration --pairs    how alike each pair of raters rated over every visit on this device
                         where both rated: one JSON object per pair, {"raters", "names",
                         "visits", "from", "to", "pairs", "exact", "adjacent", "kappa"}
  region [--csv districts|leads]
                         the signed-in director's region rolled up by district and by lead
                         (schools, benchmarks per status, visits done this quarter, schools
                         visited, overdue next steps), as JSON, or as CSV by districts or leads
  calibration VISIT_ID   how alike the raters rated, as one JSON object: {"raters", "pairs",
                         "exact", "adjacent", "kappa"} (null where a figure is undefined)
  report VISIT_ID OUT.pdf
                         the visit report as a PDF, made here without the network, as the
                         signed-in person may read the visit (a draft only by its team)
exit codes: 0 done; 1 refused (a rule, a wrong password, plain http to another machine);
  2 usage; 3 the store cannot be opened; 4 sign in again; 5 offline, an error, or an answer
  from the server that cannot be read
)";

int usage(const std::string& why) {
    std::cerr << "sitevisit-cli: " << why << "\n" << kUsage;
    return 2;
}

int fail(const std::string& why, int code = 1) {
    std::cerr << "sitevisit-cli: " << why << "\n";
    return code;
}

Json export_rows(const Store& store) {
    Json rows = Json::object();
    for (const auto& spec : entity_specs()) {
        auto list = store.list(spec.name);
        if (!list) continue;
        for (const auto& r : *list)
            rows[spec.name][r.id] = {{"school", r.school}, {"fields", r.fields}};
    }
    return Json{{"rows", rows}};
}

// SIGTERM and SIGINT end `watch`: the handler only writes a byte; the event loop reads it.
int stop_pipe[2] = {-1, -1};

void on_stop_signal(int) {
    const char byte = 1;
    [[maybe_unused]] auto n = ::write(stop_pipe[1], &byte, 1);
}

// A recovery from a server restored from backup, once when it ends. `printed` is the caller's
// record of the last recovery it printed.
void print_recovery(const SyncEngine& engine, const std::string& prefix, int& printed) {
    const auto r = engine.recovery();
    if (r.phase != Transfers::Recovery::Phase::Done || r.finished == printed) return;
    printed = r.finished;
    std::cout << prefix << "the server was restored from a backup: " << r.resent
              << " change(s) sent again, " << r.removed
              << " item(s) it no longer holds removed from this device" << std::endl;
}

int watch(Store& store, SyncEngine& engine) {
    if (!engine.user()) return fail("sign in first: sitevisit-cli --db FILE login URL EMAIL", 4);
    if (::pipe(stop_pipe) != 0) return fail("cannot watch for signals", 5);
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    ::sigemptyset(&action.sa_mask);
    ::sigaction(SIGTERM, &action, nullptr);
    ::sigaction(SIGINT, &action, nullptr);

    QEventLoop loop;
    int code = 0;
    int recoveries_printed = 0;
    bool stopping = false;
    QSocketNotifier stop(stop_pipe[0], QSocketNotifier::Read);
    QObject::connect(&stop, &QSocketNotifier::activated, &loop, [&] {
        stop.setEnabled(false);
        stopping = true;
        engine.setLive(false);
        // A pass under way (changes on their way to the server) ends first.
        if (engine.state() != SyncEngine::State::Syncing) loop.quit();
    });
    QObject::connect(&engine, &SyncEngine::finished, &loop, [&](bool ok) {
        const auto moved = engine.moved();
        const std::string at = format_utc_ms(QDateTime::currentMSecsSinceEpoch());
        if (ok) print_recovery(engine, at + " ", recoveries_printed);
        if (ok && (moved.sent > 0 || moved.received > 0 || moved.refused > 0))
            std::cout << at << " synced: " << moved.sent << " sent, " << moved.received
                      << " received, " << moved.refused << " refused, cursor " << store.cursor()
                      << std::endl;
        else if (!ok)
            std::cout << at << " sync failed: " << engine.errorString().toStdString()
                      << (engine.state() == SyncEngine::State::NeedsSignIn ? "" : "; trying again")
                      << std::endl;
        if (!ok && engine.state() == SyncEngine::State::NeedsSignIn) {
            code = 4;
            loop.quit();
        }
        if (stopping) loop.quit();
    });
    std::cout << "watching as " << engine.user()->email << " on device " << store.device_id()
              << " (stop with Ctrl-C or SIGTERM)" << std::endl;
    engine.syncNow();
    engine.setLive(true);
    loop.exec();
    engine.setLive(false);
    std::cout << "stopped at cursor " << store.cursor() << "; " << engine.pendingChanges()
              << " change(s) waiting" << std::endl;
    return code;
}

} // namespace

int main(int argc, char** argv) {
#ifndef _WIN32
    ::umask(077); // what the device writes is its owner's: files 0600, folders 0700
#endif
    // A report lays out text, which needs fonts and so a GUI application; without a display it
    // draws offscreen. Every other command stays a plain console program.
    const bool report = argc > 3 && std::string(argv[3]) == "report";
    if (report && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") &&
        qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    std::unique_ptr<QCoreApplication> app = report ? std::make_unique<QGuiApplication>(argc, argv)
                                                   : std::make_unique<QCoreApplication>(argc, argv);
    std::vector<std::string> args(argv + 1, argv + argc);
    std::string db;
    if (args.size() >= 2 && args[0] == "--db") {
        db = args[1];
        args.erase(args.begin(), args.begin() + 2);
    }
    if (db.empty()) return usage("--db FILE is required");
    if (args.empty()) return usage("say what to do");

    auto opened = Store::open({db});
    if (!opened) return fail(opened.error().message, 3);
    Store& store = **opened;
    QNetworkAccessManager network;
    SyncEngine::Options options;
    options.interval_ms = 0;
    SyncEngine engine(store, network, options);
    const std::string& cmd = args[0];

    auto actor = [&]() -> std::optional<User> { return engine.user(); };

    if (cmd == "login" && (args.size() == 3 || (args.size() == 5 && args[3] == "--ca"))) {
        const QUrl url(QString::fromStdString(args[1]));
        // The http rule, before the password is even read.
        if (const QString why = insecure_server_reason(url); !why.isEmpty())
            return fail("sign-in refused: " + why.toStdString());
        if (args.size() == 5) {
            const QString ca = QFileInfo(QString::fromStdString(args[4])).absoluteFilePath();
            if (const QString e = engine.setCaFile(ca); !e.isEmpty())
                return fail("--ca: " + e.toStdString(), 2);
        }
        std::string password;
        std::getline(std::cin, password);
        if (!password.empty() && password.back() == '\r') password.pop_back();
        QString error;
        QEventLoop loop;
        engine.signIn(url, QString::fromStdString(args[2]), QString::fromStdString(password),
                      [&](QString e) {
                          error = e;
                          loop.quit();
                      });
        loop.exec();
        if (!error.isEmpty()) {
            const auto why = engine.lastSignInFailure();
            return fail("sign-in failed: " + error.toStdString(),
                        why == SyncEngine::SignInFailure::Undecodable ||
                                why == SyncEngine::SignInFailure::Network
                            ? 5
                            : 1);
        }
        auto u = engine.user();
        std::cout << "signed in as " << args[2] << " (" << (u ? to_string(u->role) : "?")
                  << ") on device " << store.device_id() << "\n";
        return 0;
    }
    if (cmd == "sync" && args.size() == 1) {
        bool ok = false;
        QEventLoop loop;
        QObject::connect(&engine, &SyncEngine::finished, &loop, [&](bool result) {
            ok = result;
            loop.quit();
        });
        engine.syncNow();
        if (engine.state() == SyncEngine::State::Syncing) loop.exec();
        if (!ok)
            return fail(engine.errorString().toStdString(),
                        engine.state() == SyncEngine::State::NeedsSignIn ? 4 : 5);
        int recoveries_printed = 0;
        print_recovery(engine, "", recoveries_printed);
        std::cout << "up to date at cursor " << store.cursor() << "; " << engine.pendingChanges()
                  << " change(s) waiting, " << engine.rejectedChanges() << " refused, "
                  << engine.openConflicts() << " open conflict(s)\n";
        return 0;
    }
    if (cmd == "watch" && args.size() == 1) return watch(store, engine);
    if (cmd == "status" && args.size() == 1) {
        auto s = engine.deviceState().session();
        Json out{{"device", store.device_id()},
                 {"signed_in", s && *s ? Json((*s)->user.value("email", "")) : Json(nullptr)},
                 {"server", s && *s ? Json((*s)->server) : Json(nullptr)},
                 {"cursor", store.cursor()},
                 {"pending_changes", engine.pendingChanges()},
                 {"pending_bytes", engine.pendingBytes()},
                 {"open_conflicts", engine.openConflicts()}};
        Json refused = Json::array();
        if (auto r = store.rejected_changes())
            for (const auto& e : *r)
                refused.push_back(
                    {{"entity", e.change.entity}, {"id", e.change.id}, {"reason", e.error}});
        out["refused"] = refused;
        std::cout << out.dump(1) << "\n";
        return 0;
    }
    if (cmd == "put" && args.size() == 3) {
        auto who = actor();
        if (!who) return fail("sign in first: the device needs to know who is writing");
        Json j = Json::parse(args[2], nullptr, false);
        if (!j.is_object())
            return fail("JSON must be an object like {\"school\": \"...\", \"title\": \"...\"}");
        WriteRequest req{args[1], j.value("id", ""), j.value("school", ""), Json::object()};
        j.erase("id");
        j.erase("school");
        req.fields = j;
        auto r = store.put(*who, req);
        if (!r) return fail(r.error().message);
        std::cout << r->id << "\n";
        return 0;
    }
    if (cmd == "delete" && args.size() == 3) {
        auto who = actor();
        if (!who) return fail("sign in first");
        auto r = store.remove(*who, args[1], args[2]);
        if (!r) return fail(r.error().message);
        std::cout << "deleted " << args[1] << " " << args[2] << "\n";
        return 0;
    }
    if (cmd == "attach" && args.size() == 2) {
        auto s = engine.deviceState().session();
        const std::int64_t limit = s && *s
                                       ? (*s)->user.value("max_blob_bytes", protocol::kMaxBlobBytes)
                                       : protocol::kMaxBlobBytes;
        const QString work =
            QFileInfo(QString::fromStdString(db)).absolutePath() + QStringLiteral("/attachments");
        auto a = prepare_attachment(QString::fromStdString(args[1]), work, limit);
        if (!a) return fail(a.error().message);
        if (auto st =
                engine.deviceState().queue_blob({a->sha256, a->path, a->size, BlobDirection::Up});
            !st)
            return fail(st.error().message);
        std::cout << Json{{"sha256", a->sha256},
                          {"size", a->size},
                          {"media_type", a->media_type},
                          {"downscaled", a->downscaled}}
                         .dump()
                  << "\n";
        return 0;
    }
    if (cmd == "fetch" && args.size() == 3) {
        const std::string& sha = args[1];
        if (sha.size() != 64 || sha.find_first_not_of("0123456789abcdef") != std::string::npos)
            return fail("SHA256 must be 64 lowercase hex digits");
        const std::string path =
            QFileInfo(QString::fromStdString(args[2])).absoluteFilePath().toStdString();
        if (auto st = engine.deviceState().queue_blob({sha, path, 0, BlobDirection::Down}); !st)
            return fail(st.error().message);
        std::cout << "queued " << sha.substr(0, 12) << "... for " << path << "\n";
        return 0;
    }
    if (cmd == "conflicts" && args.size() == 1) {
        auto rows = store.list("conflict", "status", "open");
        if (!rows) return fail(rows.error().message);
        Json out = Json::array();
        for (const auto& r : *rows) {
            Json item{{"id", r.id}};
            item.update(r.fields);
            out.push_back(item);
        }
        std::cout << out.dump(1) << "\n";
        return 0;
    }
    if (cmd == "resolve" && args.size() == 3) {
        auto who = actor();
        if (!who) return fail("sign in first");
        Json value = Json::parse(args[2], nullptr, false);
        if (value.is_discarded()) return fail("VALUE must be JSON: 2, \"text\", null");
        auto r = store.resolve_conflict(*who, args[1], value);
        if (!r) return fail(r.error().message);
        std::cout << "resolved " << args[1] << "\n";
        return 0;
    }
    if (cmd == "report" && args.size() == 3) {
        auto who = actor();
        if (!who) return fail("sign in first: the report shows the visit as its reader may see it");
        const QString out = QString::fromStdString(args[2]);
        auto made = report::make_visit_report(store, *who, args[1], out,
                                              report::device_files(store), SystemClock::instance());
        if (!made)
            return fail("no report: " + made.error().message,
                        made.error().code == ErrorCode::Storage ? 5 : 1);
        std::cout << "wrote " << made->path.toStdString() << ": " << made->pages << " page(s), "
                  << made->indicators << " rated indicator(s), " << made->photos << " photo(s), "
                  << made->photos_missing << " not downloaded\n";
        return 0;
    }
    if (cmd == "rate" && args.size() == 4) {
        auto who = actor();
        if (!who) return fail("sign in first: a rating is the signed-in person's own");
        const std::string& level_text = args[3];
        if (level_text.empty() || level_text.size() > 2 ||
            level_text.find_first_not_of("0123456789") != std::string::npos)
            return fail("LEVEL must be a whole number from 0 to 3", 2);
        const int level = std::stoi(level_text);
        auto r = store.put(
            *who,
            WriteRequest{
                "rating", "", "", {{"visit", args[1]}, {"indicator", args[2]}, {"level", level}}});
        if (!r) return fail(r.error().message);
        std::cout << "rated " << args[2] << " at " << level << " on visit " << args[1] << " ("
                  << r->id << ")\n";
        return 0;
    }
    if (cmd == "rate-done" && args.size() == 2) {
        auto who = actor();
        if (!who) return fail("sign in first");
        auto visit = store.get("visit", args[1]);
        if (!visit || !*visit || (*visit)->deleted)
            return fail("visit " + args[1] + " is not on this device");
        int mine = 0;
        if (auto rows = store.list("rating", "visit", args[1]))
            for (const auto& row : *rows)
                if (!row.deleted && row.fields.value("rater", "") == who->id) ++mine;
        if (mine == 0)
            return fail("you have not rated an indicator of visit " + args[1] +
                        " yet: rate first (sitevisit-cli --db FILE rate VISIT_ID INDICATOR_ID "
                        "LEVEL)");
        auto r = store.put(
            *who, WriteRequest{"rater",
                               "",
                               "",
                               {{"visit", args[1]},
                                {"done", true},
                                {"done_at", format_utc_ms(QDateTime::currentMSecsSinceEpoch())}}});
        if (!r) return fail(r.error().message);
        std::cout << "your " << mine << " rating(s) of visit " << args[1]
                  << " are done; the other raters see them after the next sync\n";
        return 0;
    }
    if (cmd == "assign-caseload" && args.size() >= 3) {
        auto who = actor();
        if (!who) return fail("sign in first");
        if (args.size() > 5) return fail("a caseload has 1 to 3 districts", 2);
        auto people = store.list("user");
        auto districts = store.list("district");
        if (!people || !districts) return fail("the directory cannot be read on this device", 5);
        std::string person;
        Json held = Json::array(); // the person's districts as stored
        for (const auto& r : *people)
            if (!r.deleted && (r.id == args[1] || r.fields.value("email", "") == args[1])) {
                person = r.id;
                held = r.fields.value("districts", Json::array());
            }
        if (person.empty())
            return fail("nobody on this device is " + args[1].substr(0, 100) +
                        " (give an email or a user id; sync first if the person is new)");
        Json ids = Json::array();
        std::vector<std::string> names;
        // A director keeps what lies outside their region as it is.
        if (who->role == Role::RegionalDirector)
            for (const auto& d : held) {
                if (!d.is_string()) continue;
                for (const auto& r : *districts)
                    if (r.id == d.get<std::string>() &&
                        r.fields.value("region", "") != who->region) {
                        ids.push_back(d);
                        names.push_back(r.fields.value("name", r.id));
                    }
            }
        for (std::size_t i = 2; i < args.size(); ++i) {
            const Row* found = nullptr;
            for (const auto& r : *districts)
                if (!r.deleted && (r.id == args[i] || r.fields.value("code", "") == args[i]))
                    found = &r;
            if (!found)
                return fail("no district " + args[i].substr(0, 60) +
                            " on this device (give its state code, like 00350000, or its id)");
            ids.push_back(found->id);
            names.push_back(found->fields.value("name", found->id));
        }
        auto r = store.put(*who, WriteRequest{"user", person, "", {{"districts", ids}}});
        if (!r) return fail(r.error().message);
        std::cout << "caseload of " << args[1] << ":";
        for (std::size_t i = 0; i < names.size(); ++i)
            std::cout << (i ? ", " : " ") << names[i];
        std::cout << (r->change ? " (sent with the next sync)" : " (unchanged)") << "\n";
        return 0;
    }
    if (cmd == "region" && (args.size() == 1 || (args.size() == 3 && args[1] == "--csv"))) {
        auto who = actor();
        if (!who) return fail("sign in first");
        const std::string today = QDate::currentDate().toString(Qt::ISODate).toStdString();
        auto rollup = region_rollup(store, *who, today);
        if (!rollup) return fail(rollup.error().message);
        if (args.size() == 1) {
            std::cout << rollup_json(*rollup).dump(1) << "\n";
            return 0;
        }
        auto csv = rollup_csv(*rollup, args[2]);
        if (!csv) return fail(csv.error().message, 2);
        std::cout << *csv;
        return 0;
    }
    if (cmd == "calibration" && args.size() == 2 && args[1] == "--pairs") {
        auto visits = store.list("visit");
        auto rows = store.list("rating");
        if (!visits || !rows) return fail("the ratings cannot be read on this device", 5);
        std::map<std::string, std::string> date_of;
        for (const auto& v : *visits)
            if (!v.deleted) date_of[v.id] = v.fields.value("start_date", "");
        std::vector<VisitRating> ratings;
        for (const auto& row : *rows) {
            const std::string visit = row.fields.value("visit", "");
            if (row.deleted || !date_of.count(visit) || !row.fields.contains("level") ||
                !row.fields["level"].is_number_integer())
                continue;
            ratings.push_back(
                {visit, date_of[visit],
                 RaterRating{row.fields.value("rater", ""), row.fields.value("indicator", ""),
                             row.fields["level"].get<int>()}});
        }
        Json out = Json::array();
        for (const auto& line : calibrate_pairs(ratings)) {
            Json j = line.to_json();
            Json names = Json::array();
            for (const auto& id : {line.first, line.second}) {
                auto person = store.get("user", id);
                names.push_back(person && *person ? (*person)->fields.value("name", id) : id);
            }
            j["names"] = names;
            out.push_back(j);
        }
        std::cout << out.dump() << "\n";
        return 0;
    }
    if (cmd == "calibration" && args.size() == 2) {
        auto visit = store.get("visit", args[1]);
        if (!visit || !*visit || (*visit)->deleted)
            return fail("visit " + args[1] + " is not on this device");
        auto rows = store.list("rating", "visit", args[1]);
        if (!rows) return fail(rows.error().message, 5);
        std::vector<RaterRating> ratings;
        for (const auto& row : *rows) {
            if (row.deleted || !row.fields.contains("level") ||
                !row.fields["level"].is_number_integer())
                continue;
            ratings.push_back({row.fields.value("rater", ""), row.fields.value("indicator", ""),
                               row.fields["level"].get<int>()});
        }
        std::cout << calibrate(ratings).to_json().dump() << "\n";
        return 0;
    }
    if (cmd == "export" && args.size() == 3 && args[1] == "--csv") {
        const EntitySpec* spec = find_entity(args[2]);
        if (!spec)
            return fail("unknown entity \"" + args[2].substr(0, 60) +
                            "\" (known: " + known_entities_text() + ")",
                        2);
        auto rows = store.list(spec->name);
        if (!rows) return fail(rows.error().message, 5);
        std::cout << rows_to_csv(*spec, std::move(*rows));
        return 0;
    }
    if (cmd == "export" && args.size() == 1) {
        std::cout << export_rows(store).dump(1) << "\n";
        return 0;
    }
    return usage("unknown command or wrong arguments: " + cmd);
}
