#pragma once

// Small text helpers the server's parts share; private to the server library.

#include <cctype>
#include <string>

namespace sitevisit::server::detail {

inline std::string lower(std::string s) {
    for (auto& c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// Without leading and trailing spaces, tabs and line ends.
inline std::string trim(const std::string& s) {
    auto b = s.find_first_not_of(" \t\r\n");
    auto e = s.find_last_not_of(" \t\r\n");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

} // namespace sitevisit::server::detail
