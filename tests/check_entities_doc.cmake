# Fails when docs/entities.md no longer matches the specs the code validates with.
execute_process(COMMAND ${DEMO} --describe OUTPUT_VARIABLE generated RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "sitevisit-demo --describe failed (${rc})")
endif()
file(READ ${DOC} checked_in)
if(NOT generated STREQUAL checked_in)
  message(FATAL_ERROR "docs/entities.md is out of date: run build/core/sitevisit-demo --describe > docs/entities.md")
endif()
