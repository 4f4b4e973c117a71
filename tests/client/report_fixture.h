#pragma once

// A device store holding a school with visits to report on: people, a previous submitted visit of
// the same kind (and one of another kind that must not count), ratings, notes, sources, photos
// on the device and not. Shared by the report tests and the report benchmark (no GoogleTest).

#include "sitevisit/client/device_state.h"
#include "sitevisit/core/store.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QPainter>
#include <memory>
#include <stdexcept>
#include <string>

namespace sitevisit::testing {

class ReportScene {
public:
    static constexpr const char* kRubric = "msv-2026-2027-elementary";
    static constexpr std::int64_t kNov30 = 1796033100000; // 2026-11-30T10:05:00Z

    explicit ReportScene(const QString& dir) : dir_(dir), clock_(kNov30) {
        QDir().mkpath(dir);
        StoreOptions o;
        o.path = (dir + "/device.db").toStdString();
        o.clock = &clock_;
        o.durability = Database::Durability::Normal;
        store_ = must(Store::open(o));
        admin = person("0190a000-0000-7000-8000-000000000001", "Ada Admin", Role::Admin);
        const std::string region =
            put(admin, {"region", "", "", {{"name", "Coastal"}, {"code", "COAST"}}});
        district =
            put(admin, {"district",
                        "",
                        "",
                        {{"region", region}, {"code", "00350000"}, {"name", "Harbor City"}}});
        other_district = put(
            admin,
            {"district", "", "", {{"region", region}, {"code", "00360000"}, {"name", "Bayside"}}});
        school = put(admin, {"school",
                             "",
                             "",
                             {{"district", district},
                              {"code", "00350123"},
                              {"name", "Lincoln Elementary"},
                              {"level", "elementary"},
                              {"designation", "underperforming"}}});
        other_school = put(admin, {"school",
                                   "",
                                   "",
                                   {{"district", other_district},
                                    {"code", "00360123"},
                                    {"name", "Adams Elementary"},
                                    {"level", "elementary"},
                                    {"designation", "none"}}});
        lead = person("0190a000-0000-7000-8000-000000000004", "Lena Ortiz", Role::AssistanceLead);
        lead.districts = {district};
        other_lead =
            person("0190a000-0000-7000-8000-000000000005", "Omar Reyes", Role::AssistanceLead);
        other_lead.districts = {district};
        principal = person("0190a000-0000-7000-8000-000000000003", "Pat Lee", Role::Principal);
        principal.schools = {school};
        other_principal =
            person("0190a000-0000-7000-8000-000000000006", "Quinn Hart", Role::Principal);
        other_principal.schools = {other_school};
        for (const User* u : {&admin, &lead, &other_lead, &principal, &other_principal})
            put(admin, {"user", u->id, "", u->to_fields()});
    }

    Store& store() { return *store_; }
    ManualClock& clock() { return clock_; }
    const QString& dir() const { return dir_; }

    std::string visit(const std::string& kind, const std::string& date) {
        return put(
            lead,
            {"visit", "", school, {{"kind", kind}, {"rubric", kRubric}, {"start_date", date}}});
    }
    void submit(const std::string& visit_id) {
        put(lead, {"visit", visit_id, "", {{"status", "submitted"}}});
    }
    static std::string indicator(const std::string& code) {
        return std::string(kRubric) + "/" + code;
    }
    // An observation of `code` on the visit; its id.
    std::string rate(const std::string& visit_id, const std::string& code, int rating,
                     const std::string& note = {}, const std::string& source = {}) {
        Json f{{"visit", visit_id}, {"indicator", indicator(code)}, {"rating", rating}};
        if (!note.empty()) f["note"] = note;
        if (!source.empty()) f["source"] = source;
        return put(lead, {"observation", "", "", f});
    }
    // A photo linked to the observation: a JPEG written here and kept in the file queue as an
    // upload (so the device has it), or only the evidence row (the file is elsewhere).
    std::string photo(const std::string& observation, const std::string& code,
                      const std::string& title, bool on_device, int width = 2048,
                      int height = 1536) {
        std::string sha;
        std::int64_t size = 0;
        if (on_device) {
            // Noise over a tint, so the JPEG is as large as a camera's (about 1 MB at 2048 px)
            // and costs as much to decode.
            QImage image(width, height, QImage::Format_RGB32);
            std::uint32_t seed = 2463534242u + std::uint32_t(photos_);
            for (int y = 0; y < height; ++y) {
                auto* line = reinterpret_cast<QRgb*>(image.scanLine(y));
                for (int x = 0; x < width; ++x) {
                    seed ^= seed << 13;
                    seed ^= seed >> 17;
                    seed ^= seed << 5;
                    const int n = int(seed & 63);
                    line[x] = qRgb(40 + int(photos_ % 5) * 30 + n, 100 + n, 140 + n);
                }
            }
            {
                QPainter p(&image);
                p.setPen(Qt::white);
                p.setFont(QFont(QStringLiteral("DejaVu Sans"), 72));
                p.drawText(image.rect(), Qt::AlignCenter, QString::fromStdString(title));
            }
            const QString path = dir_ + QStringLiteral("/photo-%1.jpg").arg(++photos_);
            if (!image.save(path, "JPEG", 85)) throw std::runtime_error("cannot write a photo");
            QFile f(path);
            if (!f.open(QIODevice::ReadOnly)) throw std::runtime_error("cannot read the photo");
            sha = QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256)
                      .toHex()
                      .toStdString();
            size = f.size();
            must(client::DeviceState(*store_).queue_blob(
                {sha, path.toStdString(), size, BlobDirection::Up}));
        } else {
            sha = QCryptographicHash::hash(QByteArray::fromStdString(title),
                                           QCryptographicHash::Sha256)
                      .toHex()
                      .toStdString();
            size = 812345;
        }
        return put(lead, {"evidence",
                          "",
                          school,
                          {{"title", title},
                           {"kind", "photo"},
                           {"sha256", sha},
                           {"size", size},
                           {"media_type", "image/jpeg"},
                           {"observations", {observation}},
                           {"indicators", {indicator(code)}}}});
    }
    // The person signed in on this device (what the CLI and the app act as).
    void sign_in(const User& u) { sign_in_as(*store_, u); }
    static void sign_in_as(Store& store, const User& u) {
        Json user = u.to_fields();
        user["id"] = u.id;
        must(client::DeviceState(store).set_session(client::DeviceState::Session{
            "http://127.0.0.1:9", std::string(64, 'a'), "2099-01-01T00:00:00.000Z", user}));
    }
    // Closes the file (for a process that opens it next).
    void close() { store_.reset(); }
    // Hands the store over (to an AppController); the scene keeps its clock.
    std::unique_ptr<Store> take() { return std::move(store_); }

    std::string put(const User& u, const WriteRequest& r) { return must(store_->put(u, r)).id; }

    User admin, lead, other_lead, principal, other_principal;
    std::string district, other_district, school, other_school;

private:
    static User person(const std::string& id, const std::string& name, Role role) {
        User u;
        u.id = id;
        u.name = name;
        u.email =
            QString::fromStdString(name).toLower().replace(' ', '.').toStdString() + "@example.org";
        u.role = role;
        return u;
    }
    template <class T> static T must(Result<T> r) {
        if (!r) throw std::runtime_error(r.error().message);
        return std::move(r).value();
    }
    QString dir_;
    ManualClock clock_;
    std::unique_ptr<Store> store_;
    int photos_ = 0;
};

} // namespace sitevisit::testing
