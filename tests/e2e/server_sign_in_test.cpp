// sitevisit-server end to end (the real binary on a loopback port, real HTTP, real files).
// Sign-in, sessions and tokens, password checks under load, and the bounds every request meets.
#include "server_fixture.h"
#include "sitevisit/server/routes.h"

#include <chrono>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

using namespace sitevisit;
using namespace sitevisit::e2e;

TEST_F(Demo, HealthLoginAndReference) {
    auto health = http().request("GET", "/v1/health");
    ASSERT_EQ(health.status, 200);
    EXPECT_EQ(health.json()["status"], "ok");
    EXPECT_EQ(health.json()["protocol"], 1);

    auto r = http().request("POST", "/v1/auth/login",
                            Json{{"email", "Lead@Demo.SiteVisit"},
                                 {"password", "lead-demo-2026"},
                                 {"device", "tablet-1"}}
                                .dump());
    ASSERT_EQ(r.status, 200) << r.body;
    Json j = r.json();
    EXPECT_EQ(j["token"].get<std::string>().size(), 64u);
    EXPECT_TRUE(parse_utc_ms(j["expires"].get<std::string>()));
    EXPECT_EQ(j["user"]["role"], "assistance_lead");
    // Every school of the districts of the lead's caseload.
    const Json lead = user_row("lead@demo.sitevisit");
    std::set<std::string> caseload;
    for (const auto& district : lead["fields"]["districts"])
        for (const auto& school : schools_in(district.get<std::string>()))
            caseload.insert(school);
    ASSERT_FALSE(caseload.empty());
    EXPECT_EQ(j["user"]["schools"].get<std::set<std::string>>(), caseload);

    auto ref = http().request("GET", "/v1/reference", {}, bearer(j["token"]));
    ASSERT_EQ(ref.status, 200);
    EXPECT_EQ(ref.json()["practices"].size(), 4u);
    EXPECT_EQ(ref.json()["continuum"][3]["label"], "Sustaining");
    EXPECT_EQ(ref.json()["version"], "2026-2027.1");
}

TEST_F(Demo, TokensAreCheckedOnEveryCall) {
    for (const auto& headers : std::vector<std::vector<std::pair<std::string, std::string>>>{
             {},
             bearer("nonsense"),
             bearer(std::string(64, 'a')),
             {{"Authorization", "Basic abc"}}}) {
        auto r = http().request("GET", "/v1/sync/pull?since=0", {}, headers);
        EXPECT_EQ(r.status, 401) << r.body;
        EXPECT_FALSE(r.json()["error"]["message"].get<std::string>().empty());
    }
    EXPECT_EQ(http().request("GET", "/v1/reference").status, 401);
}

TEST_F(Demo, FailedSignInsAreRateLimitedPerAccount) {
    for (int i = 0; i < 5; ++i) {
        auto r = http().request("POST", "/v1/auth/login",
                                Json{{"email", "principal@demo.sitevisit"},
                                     {"password", "guess-" + std::to_string(i)},
                                     {"device", "d"}}
                                    .dump());
        EXPECT_EQ(r.status, 401) << r.body;
        EXPECT_EQ(r.json()["error"]["message"], "the email or the password is wrong");
    }
    auto blocked = http().request("POST", "/v1/auth/login",
                                  Json{{"email", "principal@demo.sitevisit"},
                                       {"password", "principal-demo-2026"},
                                       {"device", "d"}}
                                      .dump());
    EXPECT_EQ(blocked.status, 429) << blocked.body;
    // Another account at the same address (a school's devices share one) still signs in ...
    auto other = http().request(
        "POST", "/v1/auth/login",
        Json{{"email", "lead@demo.sitevisit"}, {"password", "lead-demo-2026"}, {"device", "d"}}
            .dump());
    EXPECT_EQ(other.status, 200) << "five guesses at one account locked out a whole address: "
                                 << other.body;
    // ... until the address itself has guessed 50 times, across any emails.
    int answered = 0;
    for (int i = 0; i < 60 && answered != 429; ++i)
        answered = http()
                       .request("POST", "/v1/auth/login",
                                Json{{"email", "nobody" + std::to_string(i) + "@demo.sitevisit"},
                                     {"password", "x"},
                                     {"device", "d"}}
                                    .dump())
                       .status;
    EXPECT_EQ(answered, 429) << "sixty guesses from one address were never limited";
    auto after = http().request("POST", "/v1/auth/login",
                                Json{{"email", "receiver@demo.sitevisit"},
                                     {"password", "receiver-demo-2026"},
                                     {"device", "d"}}
                                    .dump());
    EXPECT_EQ(after.status, 429) << "the address limit covers every account from 127.0.0.1";
}

TEST_F(Demo, BodiesAreBoundedOnEveryMethodAndHeadHasNoBody) {
    auto get_body =
        http().raw("GET /v1/health HTTP/1.1\r\nHost: x\r\nContent-Length: 300000\r\n\r\n" +
                   std::string(300000, 'x'));
    EXPECT_EQ(get_body.status, 413);
    auto chunked = http().raw("POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: "
                              "chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
    EXPECT_EQ(chunked.status, 411);
    const std::string token = login(http(), "principal@demo.sitevisit", "principal-demo-2026", "p");
    auto head = http().raw("HEAD /v1/blobs/" + std::string(64, '0') +
                           " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token +
                           "\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(head.status, 404);
    EXPECT_TRUE(head.body.empty()) << head.body;
}

// ---- hardening: sign-in ----------------------------------------------------------------------

TEST_F(Demo, SixtyParallelWrongPasswordsGetAtMostFiveAnswers) {
    std::vector<int> statuses(60);
    std::vector<std::thread> threads;
    for (int i = 0; i < 60; ++i)
        threads.emplace_back([&, i] {
            statuses[i] = login_request(http(), "principal@demo.sitevisit",
                                        "guess-" + std::to_string(i), "bot")
                              .status;
        });
    for (auto& t : threads)
        t.join();
    std::map<int, int> count;
    for (int s : statuses)
        count[s]++;
    for (const auto& [status, n] : count)
        std::cout << "parallel wrong passwords: " << n << " x " << status << "\n";
    EXPECT_LE(count[401] + count[200], 5);
    EXPECT_EQ(count[401] + count[200] + count[429] + count[503], 60);
    EXPECT_EQ(count[200], 0);
}

TEST_F(Demo, TheOwnersDeviceSignsInDuringALockoutWithItsSecret) {
    auto first =
        login_request(http(), "principal@demo.sitevisit", "principal-demo-2026", "laptop-own");
    ASSERT_EQ(first.status, 200) << first.body;
    ASSERT_TRUE(first.json()["device_secret"].is_string()) << first.body;
    const std::string secret = first.json()["device_secret"];
    EXPECT_EQ(secret.size(), 64u);
    auto again = login_request(http(), "principal@demo.sitevisit", "principal-demo-2026",
                               "laptop-own", secret);
    ASSERT_EQ(again.status, 200) << again.body;
    EXPECT_TRUE(again.json()["device_secret"].is_null())
        << "the secret is given at the first sign-in only";
    auto other_device =
        login_request(http(), "principal@demo.sitevisit", "principal-demo-2026", "phone-own");
    EXPECT_TRUE(other_device.json()["device_secret"].is_string()) << "each device gets its own";
    EXPECT_NE(other_device.json().value("device_secret", ""), secret);

    // Someone guesses until the account is locked.
    for (int i = 0; i < 5; ++i)
        EXPECT_EQ(
            login_request(http(), "principal@demo.sitevisit", "guess-" + std::to_string(i), "bot")
                .status,
            401);
    EXPECT_EQ(
        login_request(http(), "principal@demo.sitevisit", "principal-demo-2026", "bot").status,
        429);
    // The device id alone proves nothing (it travels in every clock); a wrong secret neither.
    EXPECT_EQ(login_request(http(), "principal@demo.sitevisit", "principal-demo-2026", "laptop-own")
                  .status,
              429);
    EXPECT_EQ(login_request(http(), "principal@demo.sitevisit", "principal-demo-2026", "laptop-own",
                            std::string(64, 'a'))
                  .status,
              429);
    // The owner's device with its secret and the right password signs in.
    auto owner = login_request(http(), "principal@demo.sitevisit", "principal-demo-2026",
                               "laptop-own", secret);
    EXPECT_EQ(owner.status, 200) << owner.body;
    // The secret is no key by itself: a wrong password with it is still wrong, and counted.
    for (int i = 0; i < 5; ++i)
        EXPECT_EQ(login_request(http(), "principal@demo.sitevisit", "stolen-" + std::to_string(i),
                                "laptop-own", secret)
                      .status,
                  401);
    EXPECT_EQ(login_request(http(), "principal@demo.sitevisit", "principal-demo-2026", "laptop-own",
                            secret)
                  .status,
              429);
}

TEST(SignIn, AnUnknownEmailCostsAPasswordCheckLikeAKnownOne) {
    InProcess p;
    ASSERT_TRUE(p.service->add_user({"ada@y.org", "Ada", "admin", "", {}, {}}, "a-long-password"));
    auto timed = [&](const std::string& email) {
        const long before = p.service->verifications();
        const auto t0 = std::chrono::steady_clock::now();
        auto r = p.service->login(protocol::LoginRequest{email, "wrong-password", "d", ""},
                                  "10.0.0." + std::to_string(before));
        const auto ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                .count();
        EXPECT_FALSE(r);
        EXPECT_EQ(r.error().message, "the email or the password is wrong");
        EXPECT_EQ(p.service->verifications(), before + 1) << email << ": no password check ran";
        return ms;
    };
    timed("warm-up@y.org");
    const double known = timed("ada@y.org"), unknown = timed("nobody@y.org");
    std::cout << "sign-in with a wrong password: known email " << known << " ms, unknown email "
              << unknown << " ms\n";
}

TEST(SignIn, PasswordChecksRunAFewAtATimeAndTheRestGet503WithRetryAfter) {
    server::ServiceOptions options;
    options.max_hashing = 1;
    options.hash_wait_ms = 0;
    InProcess p(options);
    ASSERT_TRUE(p.service->add_user({"ada@y.org", "Ada", "admin", "", {}, {}}, "a-long-password"));
    auto routes = server::make_routes(*p.service, nullptr);
    int busy = 0, ok = 0, rounds = 0;
    server::HttpResponse seen;
    for (; rounds < 50 && busy == 0; ++rounds) {
        std::vector<std::thread> threads;
        std::mutex m;
        for (int i = 0; i < 4; ++i)
            threads.emplace_back([&, i] {
                server::HttpRequest r;
                r.method = "POST";
                r.path = "/v1/auth/login";
                r.remote = "10.1." + std::to_string(rounds) + "." + std::to_string(i);
                r.body = Json{{"email", "ada@y.org"},
                              {"password", "a-long-password"},
                              {"device", "d" + std::to_string(i)}}
                             .dump();
                auto resp = routes.handler(r);
                std::lock_guard lock(m);
                if (resp.status == 503) {
                    ++busy;
                    seen = resp;
                } else if (resp.status == 200) {
                    ++ok;
                }
            });
        for (auto& t : threads)
            t.join();
    }
    std::cout << "one password check at a time: " << ok << " signed in, " << busy
              << " told to retry, in " << rounds << " round(s) of 4\n";
    ASSERT_GT(busy, 0);
    bool retry_after = false;
    for (const auto& [k, v] : seen.headers)
        if (k == "Retry-After") retry_after = !v.empty();
    EXPECT_TRUE(retry_after);
    EXPECT_EQ(Json::parse(seen.body)["error"]["code"], "busy");
}
