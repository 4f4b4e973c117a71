// app_bench: the app's cold start to first frame and peak memory with 50,000 observations on
// the device, and the time to open a visit with 200 observations. Runs `sitevisit-tools` (the
// app's own start-up and QML, with the benchmark mode) offscreen, 5 times, and prints medians.
// Usage: app_bench [--observations 50000] [--app PATH]
//        app_bench --report [--out FILE]
//                             the visit report of a visit rating every named indicator (20)
//                             with 10 photos on the device, made in process 5 times: medians;
//                             --out keeps the last one (docs/screenshots/report-*.png)
#include "report_fixture.h"
#include "sitevisit/client/device_state.h"
#include "sitevisit/core/store.h"
#include "visit_report.h"

#include <QElapsedTimer>
#include <QGuiApplication>
#include <QTemporaryDir>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

using namespace sitevisit;

namespace {

// The report of a full visit: every named indicator rated with a note and a source, 10 photos
// (2048 x 1536 JPEGs, as the app keeps them) on the device, a previous visit to compare with.
int bench_report(int argc, char** argv, const char* keep) {
    ::setenv("QT_QPA_PLATFORM", "offscreen", 0);
    QGuiApplication gui(argc, argv);
    QTemporaryDir tmp;
    testing::ReportScene scene(tmp.path());
    const Rubric& rubric = *scene.store().reference().rubric(testing::ReportScene::kRubric);
    const std::string previous = scene.visit("monitoring", "2026-10-01");
    const std::string visit = scene.visit("monitoring", "2026-11-20");
    int named = 0, photos = 0;
    for (const Indicator& ind : rubric.indicators) {
        if (ind.placeholder) continue;
        scene.rate(previous, ind.code, named % 4);
        const std::string o =
            scene.rate(visit, ind.code, (named * 3 + 1) % 4,
                       "Seen in two classrooms and the staff meeting: " + ind.name + ".",
                       "classroom_observation");
        if (named % 2 == 0 && photos < 10)
            scene.photo(o, ind.code, "Photo " + std::to_string(++photos), true);
        ++named;
    }
    // What the lead wrote per practice, and the next steps agreed at the visit.
    scene.put(scene.lead,
              {"visit",
               visit,
               "",
               {{"strengths",
                 {{"1", "Leaders set one goal per grade and every team can say what it is."},
                  {"2", "Teachers observe each other every month and use a shared protocol."},
                  {"3", "Intervention groups are regrouped every six weeks from screening data."},
                  {"4", "Arrival and dismissal are calm; adults greet every student by name."}}},
                {"areas_for_growth",
                 {{"1", "Teacher teams do not yet set their own agendas."},
                  {"2", "Feedback after observations is not yet written down or followed up."},
                  {"3", "Progress monitoring stops after the winter screening."},
                  {"4", "Families hear from the school mostly when something went wrong."}}}}});
    const struct {
        const char* title;
        const char* code; // "" for the whole visit
        const char* due;
    } steps[] = {{"Share this report with the leadership team", "", "2026-12-10"},
                 {"Teams set their own agendas for the spring term", "1.2", "2027-01-20"},
                 {"Written feedback within two days of each observation", "2.4", "2027-02-01"}};
    for (const auto& step : steps) {
        Json f{{"title", step.title},
               {"owner", scene.principal.id},
               {"due_date", step.due},
               {"status", "open"},
               {"visit", visit}};
        if (*step.code) f["indicator"] = testing::ReportScene::indicator(step.code);
        scene.put(scene.lead, {"next_step", "", scene.school, f});
    }
    scene.submit(previous);
    scene.submit(visit);
    const auto files = report::device_files(scene.store());
    std::vector<double> build_ms, total_ms;
    report::ReportSummary last;
    for (int run = 0; run < 5; ++run) {
        const QString out = tmp.path() + QStringLiteral("/report-%1.pdf").arg(run);
        QElapsedTimer t;
        t.start();
        auto content =
            report::build_visit_report(scene.store(), scene.lead, visit, files, scene.clock());
        const double built = double(t.nsecsElapsed()) / 1e6;
        if (!content) {
            std::fprintf(stderr, "report: %s\n", content.error().message.c_str());
            return 1;
        }
        auto made = report::write_report_pdf(*content, out);
        if (!made) {
            std::fprintf(stderr, "report: %s\n", made.error().message.c_str());
            return 1;
        }
        build_ms.push_back(built);
        total_ms.push_back(double(t.nsecsElapsed()) / 1e6);
        last = *made;
    }
    if (*keep)
        std::filesystem::copy_file(last.path.toStdString(), keep,
                                   std::filesystem::copy_options::overwrite_existing);
    std::sort(build_ms.begin(), build_ms.end());
    std::sort(total_ms.begin(), total_ms.end());
    std::printf("visit report, %d rated indicators, %d photos: %d pages, %.0f KB\n",
                last.indicators, last.photos, last.pages, double(last.bytes) / 1024.0);
    std::printf("  read the store: median %.1f ms\n", build_ms[2]);
    std::printf("  whole report (read, thumbnails, layout, PDF): median %.0f ms, slowest %.0f ms "
                "(target under 1000 ms)\n",
                total_ms[2], total_ms[4]);
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    int observations = 50000;
    std::string app = SITEVISIT_APP_BINARY;
    if (argc >= 2 && !std::strcmp(argv[1], "--report")) {
        try {
            return bench_report(argc, argv,
                                argc == 4 && !std::strcmp(argv[2], "--out") ? argv[3] : "");
        } catch (const std::exception& e) { // the fixture refused a row
            std::fprintf(stderr, "report fixture: %s\n", e.what());
            return 1;
        }
    }
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--observations") && i + 1 < argc)
            observations = std::atoi(argv[++i]);
        else if (!std::strcmp(argv[i], "--app") && i + 1 < argc)
            app = argv[++i];
        else {
            std::fprintf(stderr, "usage: app_bench [--observations N] [--app PATH] | --report\n");
            return 2;
        }
    }
    const auto dir = std::filesystem::temp_directory_path() /
                     ("sitevisit-app-bench-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const std::string db = (dir / "device.db").string();
    std::string big_visit;
    {
        StoreOptions o;
        o.path = db;
        o.durability = Database::Durability::Normal; // building the fixture only
        auto store = std::move(Store::open(o)).value();
        User admin;
        admin.id = "0190a000-0000-7000-8000-000000000001";
        admin.role = Role::Admin;
        User lead = admin;
        lead.id = "0190a000-0000-7000-8000-000000000004";
        lead.name = "Lena Lead";
        lead.role = Role::AssistanceLead;
        const std::string region =
            store->put(admin, {"region", "", "", {{"name", "Coastal"}, {"code", "C"}}})->id;
        const std::string district =
            store
                ->put(admin, {"district",
                              "",
                              "",
                              {{"region", region}, {"code", "00350000"}, {"name", "Harbor City"}}})
                ->id;
        lead.districts = {district};
        std::vector<std::string> schools;
        for (int s = 0; s < 10; ++s)
            schools.push_back(store
                                  ->put(admin, {"school",
                                                "",
                                                "",
                                                {{"district", district},
                                                 {"code", std::to_string(350100 + s)},
                                                 {"name", "School " + std::to_string(s)},
                                                 {"level", "elementary"},
                                                 {"designation", "underperforming"}}})
                                  ->id);
        const auto& inds = store->reference().rubric("msv-2026-2027-elementary")->indicators;
        int made = 0, v = 0;
        while (made < observations) {
            const int n = made == 0 ? 200 : std::min(200, observations - made);
            auto visit = store->put(lead, {"visit",
                                           "",
                                           schools[v % schools.size()],
                                           {{"kind", "monitoring"},
                                            {"rubric", "msv-2026-2027-elementary"},
                                            {"start_date", "2026-0" + std::to_string(1 + v % 9) +
                                                               "-1" + std::to_string(v % 9)}}});
            if (!visit) {
                std::fprintf(stderr, "fixture: %s\n", visit.error().message.c_str());
                return 1;
            }
            if (made == 0) big_visit = visit->id;
            for (int i = 0; i < n; ++i)
                (void)store->put(lead, {"observation",
                                        "",
                                        "",
                                        {{"visit", visit->id},
                                         {"indicator", inds[i % inds.size()].id},
                                         {"rating", i % 4},
                                         {"note", "Seen in room " + std::to_string(i)}}});
            made += n;
            ++v;
        }
        Json user = lead.to_fields();
        user["id"] = lead.id;
        (void)client::DeviceState(*store).set_session(client::DeviceState::Session{
            "http://127.0.0.1:9", std::string(64, 'a'), "2099-01-01T00:00:00.000Z", user});
    }
    std::printf("app_bench: %d observations in %s (visit with 200: %s)\n", observations, db.c_str(),
                big_visit.c_str());

    std::vector<double> first, open, rss;
    for (int run = 0; run < 5; ++run) {
        int out[2];
        if (::pipe(out) != 0) return 1;
        const auto t0 = std::chrono::system_clock::now();
        pid_t pid = ::fork();
        if (pid == 0) {
            ::dup2(out[1], 1);
            ::close(out[0]);
            ::setenv("QT_QPA_PLATFORM", "offscreen", 1);
            ::execl(app.c_str(), app.c_str(), "--db", db.c_str(), "--bench-open-visit",
                    big_visit.c_str(), nullptr);
            _exit(127);
        }
        ::close(out[1]);
        std::string text;
        char buf[4096];
        for (ssize_t n; (n = ::read(out[0], buf, sizeof buf)) > 0;)
            text.append(buf, static_cast<std::size_t>(n));
        ::close(out[0]);
        int status = 0;
        rusage ru{};
        ::wait4(pid, &status, 0, &ru);
        const auto start_ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(t0.time_since_epoch()).count();
        long long frame_at = 0, open_ms = -1;
        if (auto p = text.find("first-frame "); p != std::string::npos)
            frame_at = std::stoll(text.substr(p + 12));
        if (auto p = text.find("visit-open-ms "); p != std::string::npos)
            open_ms = std::stoll(text.substr(p + 14));
        if (!frame_at || open_ms < 0) {
            std::fprintf(stderr, "the app did not report (exit %d): %s\n", WEXITSTATUS(status),
                         text.c_str());
            return 1;
        }
        first.push_back(static_cast<double>(frame_at - start_ms));
        open.push_back(static_cast<double>(open_ms));
        rss.push_back(ru.ru_maxrss / 1024.0);
    }
    auto median = [](std::vector<double> v) {
        std::sort(v.begin(), v.end());
        return v[v.size() / 2];
    };
    std::printf("cold start to first frame: median %.0f ms (target within 500 ms)\n",
                median(first));
    std::printf("peak memory of the app: median %.0f MB (target under 200 MB)\n", median(rss));
    std::printf("open a visit with 200 observations: median %.0f ms\n", median(open));
    std::filesystem::remove_all(dir);
    return 0;
}
