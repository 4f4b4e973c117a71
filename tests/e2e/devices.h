#pragma once

// Real devices (sitevisit-cli, each with its own SQLite file) against the real demo server:
// what the device tests share.
#include "harness.h"

#include <filesystem>
#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace sitevisit::e2e {

struct Device {
    std::string db;
    Run cli(const std::vector<std::string>& args, const std::string& in = {}) const {
        std::vector<std::string> argv{cli_binary(), "--db", db};
        argv.insert(argv.end(), args.begin(), args.end());
        return run(argv, in);
    }
    std::string put(const std::string& entity, const Json& j) const {
        auto r = cli({"put", entity, j.dump()});
        EXPECT_EQ(r.code, 0) << r.err;
        std::string id = r.out;
        while (!id.empty() && (id.back() == '\n' || id.back() == '\r'))
            id.pop_back();
        return id;
    }
    Json exported() const { return Json::parse(cli({"export"}).out, nullptr, false); }
    int sync() const { return cli({"sync"}).code; }
};

struct Devices : ::testing::Test {
    ServerProcess server;
    std::string lincoln, url;
    std::filesystem::path dir = server.data().parent_path();

    void SetUp() override {
        if (cli_binary().empty()) GTEST_SKIP() << "built without the client";
        ASSERT_EQ(server.admin({"demo"}).code, 0);
        server.start();
        url = "http://127.0.0.1:" + std::to_string(server.port());
        Json rows =
            Json::parse(server.admin({"export", "--user", "admin@demo.sitevisit"}).out)["rows"];
        for (auto it = rows["school"].begin(); it != rows["school"].end(); ++it)
            if (it.value()["fields"]["code"] == "00350123") lincoln = it.key();
    }

    Device device(const std::string& name, const std::string& email = "lead@demo.sitevisit",
                  const std::string& password = "lead-demo-2026") {
        Device d{(dir / (name + ".db")).string()};
        auto r = d.cli({"login", url, email}, password + "\n");
        EXPECT_EQ(r.code, 0) << r.err;
        EXPECT_EQ(d.sync(), 0);
        return d;
    }

    Json server_view(const std::string& email) {
        return Json::parse(server.admin({"export", "--user", email}).out, nullptr, false);
    }

    std::string visit_on(const Device& d) {
        return d.put("visit", {{"school", lincoln},
                               {"kind", "walkthrough"},
                               {"rubric", "msv-2026-2027-elementary"},
                               {"start_date", "2026-11-23"}});
    }
};

} // namespace sitevisit::e2e
