# The autograder's settings, read by setup.sh and run_autograder.
COURSE_REPO="https://github.com/kindling-rs/kindling.git"  # your copy of the course
COURSE_REF="main"                                          # the tag or commit of your term
STAGE="stage05"                                            # the stage this assignment grades
RUBRIC=""                  # a rubric file in this zip, such as rubric.toml (optional)
SEED=""                    # empty: a fresh hidden seed for every upload
UNCONFINED=""              # --unconfined only if `cargo xtask confinement` says no (see the book)
