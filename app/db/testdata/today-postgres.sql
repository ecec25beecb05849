--
-- PostgreSQL database dump
--


-- Dumped from database version 15.20 (Debian 15.20-0+deb12u1)
-- Dumped by pg_dump version 15.20 (Debian 15.20-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: river_job_state; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.river_job_state AS ENUM (
    'available',
    'cancelled',
    'completed',
    'discarded',
    'pending',
    'retryable',
    'running',
    'scheduled'
);


--
-- Name: river_job_state_in_bitmask(bit, public.river_job_state); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.river_job_state_in_bitmask(bitmask bit, state public.river_job_state) RETURNS boolean
    LANGUAGE sql IMMUTABLE
    AS $$
    SELECT CASE state
        WHEN 'available' THEN get_bit(bitmask, 7)
        WHEN 'cancelled' THEN get_bit(bitmask, 6)
        WHEN 'completed' THEN get_bit(bitmask, 5)
        WHEN 'discarded' THEN get_bit(bitmask, 4)
        WHEN 'pending'   THEN get_bit(bitmask, 3)
        WHEN 'retryable' THEN get_bit(bitmask, 2)
        WHEN 'running'   THEN get_bit(bitmask, 1)
        WHEN 'scheduled' THEN get_bit(bitmask, 0)
        ELSE 0
    END = 1;
$$;


SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: accounts; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.accounts (
    id character varying NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    name character varying NOT NULL,
    plan character varying DEFAULT 'free'::character varying NOT NULL,
    stripe_customer_id character varying,
    stripe_subscription_id character varying,
    subscription_status character varying,
    subscription_updated_at timestamp with time zone,
    plan_period_end timestamp with time zone
);


--
-- Name: api_keys; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.api_keys (
    id character varying NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    name character varying NOT NULL,
    prefix character varying NOT NULL,
    key_hash character varying NOT NULL,
    created_by character varying,
    last_used_at timestamp with time zone,
    request_count bigint DEFAULT 0 NOT NULL,
    expires_at timestamp with time zone,
    revoked_at timestamp with time zone,
    account_id character varying NOT NULL
);


--
-- Name: findings; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.findings (
    id character varying NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    check_id character varying NOT NULL,
    category character varying NOT NULL,
    severity character varying NOT NULL,
    title character varying NOT NULL,
    description text,
    recommendation text,
    evidence text,
    account_id character varying NOT NULL,
    scan_id character varying NOT NULL
);


--
-- Name: invites; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.invites (
    id character varying NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    token_hash character varying NOT NULL,
    email character varying,
    role character varying DEFAULT 'member'::character varying NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    accepted_at timestamp with time zone,
    account_id character varying NOT NULL
);


--
-- Name: kvs; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.kvs (
    id character varying NOT NULL,
    value bytea NOT NULL,
    expires_at timestamp with time zone
);


--
-- Name: rate_limits; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.rate_limits (
    id character varying NOT NULL,
    tat bigint DEFAULT 0 NOT NULL,
    nonce character varying
);


--
-- Name: report_files; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.report_files (
    id character varying NOT NULL,
    data bytea NOT NULL,
    report_file character varying NOT NULL
);


--
-- Name: reports; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.reports (
    id character varying NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    version bigint NOT NULL,
    title character varying NOT NULL,
    status character varying DEFAULT 'PENDING'::character varying NOT NULL,
    pdf_size bigint DEFAULT 0 NOT NULL,
    sha256 character varying,
    storage character varying DEFAULT 'db'::character varying NOT NULL,
    error character varying,
    account_id character varying NOT NULL,
    scan_id character varying NOT NULL
);


--
-- Name: river_client; Type: TABLE; Schema: public; Owner: -
--

CREATE UNLOGGED TABLE public.river_client (
    id text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    paused_at timestamp with time zone,
    updated_at timestamp with time zone NOT NULL,
    CONSTRAINT name_length CHECK (((char_length(id) > 0) AND (char_length(id) < 128)))
);


--
-- Name: river_client_queue; Type: TABLE; Schema: public; Owner: -
--

CREATE UNLOGGED TABLE public.river_client_queue (
    river_client_id text NOT NULL,
    name text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    max_workers bigint DEFAULT 0 NOT NULL,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    num_jobs_completed bigint DEFAULT 0 NOT NULL,
    num_jobs_running bigint DEFAULT 0 NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    CONSTRAINT name_length CHECK (((char_length(name) > 0) AND (char_length(name) < 128))),
    CONSTRAINT num_jobs_completed_zero_or_positive CHECK ((num_jobs_completed >= 0)),
    CONSTRAINT num_jobs_running_zero_or_positive CHECK ((num_jobs_running >= 0))
);


--
-- Name: river_job; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.river_job (
    id bigint NOT NULL,
    state public.river_job_state DEFAULT 'available'::public.river_job_state NOT NULL,
    attempt smallint DEFAULT 0 NOT NULL,
    max_attempts smallint NOT NULL,
    attempted_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    finalized_at timestamp with time zone,
    scheduled_at timestamp with time zone DEFAULT now() NOT NULL,
    priority smallint DEFAULT 1 NOT NULL,
    args jsonb NOT NULL,
    attempted_by text[],
    errors jsonb[],
    kind text NOT NULL,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    queue text DEFAULT 'default'::text NOT NULL,
    tags character varying(255)[] DEFAULT '{}'::character varying[] NOT NULL,
    unique_key bytea,
    unique_states bit(8),
    CONSTRAINT finalized_or_finalized_at_null CHECK ((((finalized_at IS NULL) AND (state <> ALL (ARRAY['cancelled'::public.river_job_state, 'completed'::public.river_job_state, 'discarded'::public.river_job_state]))) OR ((finalized_at IS NOT NULL) AND (state = ANY (ARRAY['cancelled'::public.river_job_state, 'completed'::public.river_job_state, 'discarded'::public.river_job_state]))))),
    CONSTRAINT kind_length CHECK (((char_length(kind) > 0) AND (char_length(kind) < 128))),
    CONSTRAINT max_attempts_is_positive CHECK ((max_attempts > 0)),
    CONSTRAINT priority_in_range CHECK (((priority >= 1) AND (priority <= 4))),
    CONSTRAINT queue_length CHECK (((char_length(queue) > 0) AND (char_length(queue) < 128)))
);


--
-- Name: river_job_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.river_job_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: river_job_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.river_job_id_seq OWNED BY public.river_job.id;


--
-- Name: river_leader; Type: TABLE; Schema: public; Owner: -
--

CREATE UNLOGGED TABLE public.river_leader (
    elected_at timestamp with time zone NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    leader_id text NOT NULL,
    name text DEFAULT 'default'::text NOT NULL,
    CONSTRAINT leader_id_length CHECK (((char_length(leader_id) > 0) AND (char_length(leader_id) < 128))),
    CONSTRAINT name_length CHECK ((name = 'default'::text))
);


--
-- Name: river_migration; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.river_migration (
    line text NOT NULL,
    version bigint NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT line_length CHECK (((char_length(line) > 0) AND (char_length(line) < 128))),
    CONSTRAINT version_gte_1 CHECK ((version >= 1))
);


--
-- Name: river_queue; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.river_queue (
    name text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    paused_at timestamp with time zone,
    updated_at timestamp with time zone NOT NULL
);


--
-- Name: scan_counts; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.scan_counts (
    id bigint NOT NULL,
    status character varying NOT NULL,
    n bigint DEFAULT 0 NOT NULL,
    account_id character varying NOT NULL
);


--
-- Name: scan_counts_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.scan_counts ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME public.scan_counts_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: scan_events; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.scan_events (
    id bigint NOT NULL,
    kind character varying NOT NULL,
    check_id character varying,
    name character varying,
    status character varying,
    created_at timestamp with time zone NOT NULL,
    scan_id character varying NOT NULL,
    account_id character varying NOT NULL
);


--
-- Name: scan_events_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.scan_events ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME public.scan_events_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: scans; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.scans (
    id character varying NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    target_url character varying NOT NULL,
    target_domain character varying NOT NULL,
    depth character varying DEFAULT 'STANDARD'::character varying NOT NULL,
    status character varying DEFAULT 'PENDING'::character varying NOT NULL,
    overall_score bigint,
    grade character varying,
    findings_count bigint DEFAULT 0 NOT NULL,
    final_url character varying,
    duration_ms bigint,
    error character varying,
    result text,
    job_id bigint,
    cancel_requested boolean DEFAULT false NOT NULL,
    claim character varying,
    heartbeat_at timestamp with time zone,
    started_at timestamp with time zone,
    completed_at timestamp with time zone,
    account_id character varying NOT NULL
);


--
-- Name: sessions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.sessions (
    id character varying NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    token_hash character varying NOT NULL,
    last_seen_at timestamp with time zone NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    account_id character varying NOT NULL,
    user_id character varying NOT NULL
);


--
-- Name: stripe_events; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.stripe_events (
    id character varying NOT NULL,
    type character varying NOT NULL,
    account_id character varying,
    created_at timestamp with time zone NOT NULL
);


--
-- Name: usages; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.usages (
    id bigint NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    period character varying NOT NULL,
    scans bigint DEFAULT 0 NOT NULL,
    account_id character varying NOT NULL
);


--
-- Name: usages_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.usages ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME public.usages_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: users; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.users (
    id character varying NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    email character varying NOT NULL,
    name character varying,
    password_hash character varying NOT NULL,
    role character varying DEFAULT 'owner'::character varying NOT NULL,
    account_id character varying NOT NULL
);


--
-- Name: river_job id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.river_job ALTER COLUMN id SET DEFAULT nextval('public.river_job_id_seq'::regclass);


--
-- Data for Name: accounts; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: api_keys; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: findings; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: invites; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: kvs; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: rate_limits; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: report_files; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: reports; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: river_client; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: river_client_queue; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: river_job; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: river_leader; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: river_migration; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.river_migration VALUES ('main', 1, '2026-12-01 21:30:50.044416+00');
INSERT INTO public.river_migration VALUES ('main', 2, '2026-12-01 21:30:50.114565+00');
INSERT INTO public.river_migration VALUES ('main', 3, '2026-12-01 21:30:50.306594+00');
INSERT INTO public.river_migration VALUES ('main', 4, '2026-12-01 21:30:50.325329+00');
INSERT INTO public.river_migration VALUES ('main', 5, '2026-12-01 21:30:50.360737+00');
INSERT INTO public.river_migration VALUES ('main', 6, '2026-12-01 21:30:50.465318+00');


--
-- Data for Name: river_queue; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: scan_counts; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: scan_events; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: scans; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: sessions; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: stripe_events; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: usages; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: users; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Name: river_job_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.river_job_id_seq', 1, false);


--
-- Name: scan_counts_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.scan_counts_id_seq', 1, false);


--
-- Name: scan_events_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.scan_events_id_seq', 1, false);


--
-- Name: usages_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.usages_id_seq', 1, false);


--
-- Name: accounts accounts_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.accounts
    ADD CONSTRAINT accounts_pkey PRIMARY KEY (id);


--
-- Name: api_keys api_keys_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT api_keys_pkey PRIMARY KEY (id);


--
-- Name: findings findings_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.findings
    ADD CONSTRAINT findings_pkey PRIMARY KEY (id);


--
-- Name: invites invites_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.invites
    ADD CONSTRAINT invites_pkey PRIMARY KEY (id);


--
-- Name: kvs kvs_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.kvs
    ADD CONSTRAINT kvs_pkey PRIMARY KEY (id);


--
-- Name: rate_limits rate_limits_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.rate_limits
    ADD CONSTRAINT rate_limits_pkey PRIMARY KEY (id);


--
-- Name: report_files report_files_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.report_files
    ADD CONSTRAINT report_files_pkey PRIMARY KEY (id);


--
-- Name: reports reports_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.reports
    ADD CONSTRAINT reports_pkey PRIMARY KEY (id);


--
-- Name: river_client river_client_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.river_client
    ADD CONSTRAINT river_client_pkey PRIMARY KEY (id);


--
-- Name: river_client_queue river_client_queue_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.river_client_queue
    ADD CONSTRAINT river_client_queue_pkey PRIMARY KEY (river_client_id, name);


--
-- Name: river_job river_job_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.river_job
    ADD CONSTRAINT river_job_pkey PRIMARY KEY (id);


--
-- Name: river_leader river_leader_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.river_leader
    ADD CONSTRAINT river_leader_pkey PRIMARY KEY (name);


--
-- Name: river_migration river_migration_pkey1; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.river_migration
    ADD CONSTRAINT river_migration_pkey1 PRIMARY KEY (line, version);


--
-- Name: river_queue river_queue_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.river_queue
    ADD CONSTRAINT river_queue_pkey PRIMARY KEY (name);


--
-- Name: scan_counts scan_counts_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.scan_counts
    ADD CONSTRAINT scan_counts_pkey PRIMARY KEY (id);


--
-- Name: scan_events scan_events_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.scan_events
    ADD CONSTRAINT scan_events_pkey PRIMARY KEY (id);


--
-- Name: scans scans_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.scans
    ADD CONSTRAINT scans_pkey PRIMARY KEY (id);


--
-- Name: sessions sessions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.sessions
    ADD CONSTRAINT sessions_pkey PRIMARY KEY (id);


--
-- Name: stripe_events stripe_events_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.stripe_events
    ADD CONSTRAINT stripe_events_pkey PRIMARY KEY (id);


--
-- Name: usages usages_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.usages
    ADD CONSTRAINT usages_pkey PRIMARY KEY (id);


--
-- Name: users users_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (id);


--
-- Name: accounts_stripe_customer_id_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX accounts_stripe_customer_id_key ON public.accounts USING btree (stripe_customer_id);


--
-- Name: api_keys_key_hash_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX api_keys_key_hash_key ON public.api_keys USING btree (key_hash);


--
-- Name: apikey_account_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX apikey_account_id ON public.api_keys USING btree (account_id);


--
-- Name: apikey_account_id_created_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX apikey_account_id_created_at ON public.api_keys USING btree (account_id, created_at);


--
-- Name: finding_account_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX finding_account_id ON public.findings USING btree (account_id);


--
-- Name: finding_scan_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX finding_scan_id ON public.findings USING btree (scan_id);


--
-- Name: invite_account_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX invite_account_id ON public.invites USING btree (account_id);


--
-- Name: invites_token_hash_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX invites_token_hash_key ON public.invites USING btree (token_hash);


--
-- Name: kv_expires_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX kv_expires_at ON public.kvs USING btree (expires_at);


--
-- Name: report_account_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX report_account_id ON public.reports USING btree (account_id);


--
-- Name: report_account_id_created_at_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX report_account_id_created_at_id ON public.reports USING btree (account_id, created_at, id);


--
-- Name: report_files_report_file_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX report_files_report_file_key ON public.report_files USING btree (report_file);


--
-- Name: report_scan_id_version; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX report_scan_id_version ON public.reports USING btree (scan_id, version);


--
-- Name: river_job_args_index; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX river_job_args_index ON public.river_job USING gin (args);


--
-- Name: river_job_kind; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX river_job_kind ON public.river_job USING btree (kind);


--
-- Name: river_job_metadata_index; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX river_job_metadata_index ON public.river_job USING gin (metadata);


--
-- Name: river_job_prioritized_fetching_index; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX river_job_prioritized_fetching_index ON public.river_job USING btree (state, queue, priority, scheduled_at, id);


--
-- Name: river_job_state_and_finalized_at_index; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX river_job_state_and_finalized_at_index ON public.river_job USING btree (state, finalized_at) WHERE (finalized_at IS NOT NULL);


--
-- Name: river_job_unique_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX river_job_unique_idx ON public.river_job USING btree (unique_key) WHERE ((unique_key IS NOT NULL) AND (unique_states IS NOT NULL) AND public.river_job_state_in_bitmask(unique_states, state));


--
-- Name: scan_account_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX scan_account_id ON public.scans USING btree (account_id);


--
-- Name: scan_account_id_created_at_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX scan_account_id_created_at_id ON public.scans USING btree (account_id, created_at, id);


--
-- Name: scan_account_id_status_created_at_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX scan_account_id_status_created_at_id ON public.scans USING btree (account_id, status, created_at, id);


--
-- Name: scan_account_id_target_domain_created_at_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX scan_account_id_target_domain_created_at_id ON public.scans USING btree (account_id, target_domain, created_at, id);


--
-- Name: scan_status_updated_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX scan_status_updated_at ON public.scans USING btree (status, updated_at);


--
-- Name: scancount_account_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX scancount_account_id ON public.scan_counts USING btree (account_id);


--
-- Name: scancount_account_id_status; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX scancount_account_id_status ON public.scan_counts USING btree (account_id, status);


--
-- Name: scanevent_account_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX scanevent_account_id ON public.scan_events USING btree (account_id);


--
-- Name: scanevent_scan_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX scanevent_scan_id ON public.scan_events USING btree (scan_id);


--
-- Name: session_account_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX session_account_id ON public.sessions USING btree (account_id);


--
-- Name: session_expires_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX session_expires_at ON public.sessions USING btree (expires_at);


--
-- Name: session_user_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX session_user_id ON public.sessions USING btree (user_id);


--
-- Name: sessions_token_hash_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX sessions_token_hash_key ON public.sessions USING btree (token_hash);


--
-- Name: usage_account_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX usage_account_id ON public.usages USING btree (account_id);


--
-- Name: usage_account_id_period; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX usage_account_id_period ON public.usages USING btree (account_id, period);


--
-- Name: user_account_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX user_account_id ON public.users USING btree (account_id);


--
-- Name: users_email_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX users_email_key ON public.users USING btree (email);


--
-- Name: api_keys api_keys_accounts_account; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT api_keys_accounts_account FOREIGN KEY (account_id) REFERENCES public.accounts(id);


--
-- Name: findings findings_accounts_account; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.findings
    ADD CONSTRAINT findings_accounts_account FOREIGN KEY (account_id) REFERENCES public.accounts(id);


--
-- Name: findings findings_scans_findings; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.findings
    ADD CONSTRAINT findings_scans_findings FOREIGN KEY (scan_id) REFERENCES public.scans(id);


--
-- Name: invites invites_accounts_account; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.invites
    ADD CONSTRAINT invites_accounts_account FOREIGN KEY (account_id) REFERENCES public.accounts(id);


--
-- Name: report_files report_files_reports_file; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.report_files
    ADD CONSTRAINT report_files_reports_file FOREIGN KEY (report_file) REFERENCES public.reports(id);


--
-- Name: reports reports_accounts_account; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.reports
    ADD CONSTRAINT reports_accounts_account FOREIGN KEY (account_id) REFERENCES public.accounts(id);


--
-- Name: reports reports_scans_reports; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.reports
    ADD CONSTRAINT reports_scans_reports FOREIGN KEY (scan_id) REFERENCES public.scans(id);


--
-- Name: river_client_queue river_client_queue_river_client_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.river_client_queue
    ADD CONSTRAINT river_client_queue_river_client_id_fkey FOREIGN KEY (river_client_id) REFERENCES public.river_client(id) ON DELETE CASCADE;


--
-- Name: scan_counts scan_counts_accounts_account; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.scan_counts
    ADD CONSTRAINT scan_counts_accounts_account FOREIGN KEY (account_id) REFERENCES public.accounts(id);


--
-- Name: scan_events scan_events_accounts_account; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.scan_events
    ADD CONSTRAINT scan_events_accounts_account FOREIGN KEY (account_id) REFERENCES public.accounts(id);


--
-- Name: scan_events scan_events_scans_events; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.scan_events
    ADD CONSTRAINT scan_events_scans_events FOREIGN KEY (scan_id) REFERENCES public.scans(id);


--
-- Name: scans scans_accounts_account; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.scans
    ADD CONSTRAINT scans_accounts_account FOREIGN KEY (account_id) REFERENCES public.accounts(id);


--
-- Name: sessions sessions_accounts_account; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.sessions
    ADD CONSTRAINT sessions_accounts_account FOREIGN KEY (account_id) REFERENCES public.accounts(id);


--
-- Name: sessions sessions_users_user; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.sessions
    ADD CONSTRAINT sessions_users_user FOREIGN KEY (user_id) REFERENCES public.users(id);


--
-- Name: usages usages_accounts_account; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.usages
    ADD CONSTRAINT usages_accounts_account FOREIGN KEY (account_id) REFERENCES public.accounts(id);


--
-- Name: users users_accounts_account; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_accounts_account FOREIGN KEY (account_id) REFERENCES public.accounts(id);


--
-- PostgreSQL database dump complete
--


