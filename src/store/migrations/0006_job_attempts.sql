-- How many times a job was claimed. A server that stopped while a job ran
-- (a crash, a kill, the machine) left it 'running' with no one running
-- it: the next server to run the jobs queues it again, unless it has
-- been tried as often as jobs.c allows, and then fails it with a message.

ALTER TABLE jobs ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
