/*
 * link_cmd.h — `reach link`: record linkage of a population register
 * against enrolment records (linkage.h), from CSV files to CSV files.
 */
#ifndef LINKAGE_LINK_CMD_H
#define LINKAGE_LINK_CMD_H

/* The exit status. threads: 0 for one per core (the --threads setting). */
int link_cmd(int argc, char **argv, int threads);

#endif
