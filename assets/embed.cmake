# Writes OUTPUT, a C++ file holding INPUT's bytes as a raw string literal.
file(READ ${INPUT} content)
file(WRITE ${OUTPUT} "#include \"sitevisit/assets.h\"\n\nnamespace sitevisit::assets {\n"
  "std::string_view default_reference_json() {\n    static const char text[] = R\"sv_embed(${content})sv_embed\";\n"
  "    return {text, sizeof(text) - 1};\n}\n} // namespace sitevisit::assets\n")
