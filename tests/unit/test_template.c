/* test_template.c: unit tests of template.c: each docker `--format` the platforms send, with the output Go's
 * text/template prints under docker, then the edges (missing values, printing, trim, range/if) and errors. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "check.h"
#include "template.h"

/* What `docker inspect` shows of an OpenClaw sandbox, trimmed; map-typed fields in Go's key order. */
static const char inspect_json[] =
    "{\"Id\":\"4f3c2b1a09e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2\","
    "\"Name\":\"/openclaw-sbx\","
    "\"State\":{\"Status\":\"running\",\"Running\":true,\"Paused\":false,\"ExitCode\":0,\"Pid\":4242,"
    "\"Health\":null},"
    "\"Config\":{\"Image\":\"openclaw-sandbox:bookworm-slim\",\"Env\":[\"A=1\",\"B=2\"],\"Cmd\":[\"sleep\","
    "\"infinity\"],\"Entrypoint\":null,\"Labels\":{\"openclaw.configHash\":\"9f86d081\",\"openclaw.sandbox\":"
    "\"1\",\"openclaw.sessionKey\":\"agent:main\"}},"
    "\"HostConfig\":{\"Memory\":1073741824,\"NanoCpus\":1000000000,\"PidsLimit\":null,\"ReadonlyRootfs\":"
    "true,"
    "\"Tmpfs\":{\"/run\":\"\",\"/tmp\":\"\",\"/var/tmp\":\"\"}},"
    "\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/srv/ws\",\"Destination\":\"/workspace\",\"Mode\":\"z\","
    "\"RW\":true,\"Propagation\":\"rprivate\"},{\"Type\":\"bind\",\"Source\":\"/srv/ws/skills\","
    "\"Destination\":\"/workspace/skills\",\"Mode\":\"ro,z\",\"RW\":false,\"Propagation\":\"rprivate\"}],"
    "\"Server\":{\"Version\":\"27.3.1\"},"
    "\"Odd\":{\"Html\":\"<a href=\\\"x\\\">&amp;</a>\",\"Ctl\":\"tab\\tnl\\nbs\\b\\u0001\\u001f\",\"Uni\":"
    "\"caf\\u00e9 \\u2028 \\ud83d\\ude00\",\"Half\":1.5,\"Two\":2.0,\"Tiny\":1e-7,\"Big\":1234567.5,"
    "\"Small\":0.0001,\"Neg\":-0.25,\"Huge\":1e21,\"Zero\":0,\"Empty\":\"\",\"NoList\":[],\"NoMap\":{},"
    "\"Mixed\":{\"n\":1,\"s\":\"x\",\"z\":null,\"b\":false,\"l\":[1,\"a\"]},\"Nums\":[3,1,2]}}";

struct render_case {
	const char *tmpl;
	const char *want;
};

/* The sequence OpenClaw sends (issue 3), byte for byte what docker prints. */
static const struct render_case openclaw_cases[] = {
    {"{{.State.Running}}", "true"},
    {"{{.Id}}", "4f3c2b1a09e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2"},
    {"{\"Mounts\":{{json .Mounts}},\"Tmpfs\":{{json .HostConfig.Tmpfs}}}",
     "{\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/srv/ws\",\"Destination\":\"/workspace\",\"Mode\":\"z\","
     "\"RW\":true,\"Propagation\":\"rprivate\"},{\"Type\":\"bind\",\"Source\":\"/srv/ws/skills\","
     "\"Destination\":\"/workspace/skills\",\"Mode\":\"ro,z\",\"RW\":false,\"Propagation\":\"rprivate\"}],"
     "\"Tmpfs\":{\"/run\":\"\",\"/tmp\":\"\",\"/var/tmp\":\"\"}}"},
    {"{{ index .Config.Labels \"openclaw.configHash\" }}", "9f86d081"},
    {"{{.Config.Image}}", "openclaw-sandbox:bookworm-slim"},
    {"{{.Server.Version}}", "27.3.1"},
};

/* Fields, missing values and how Go's fmt prints each kind of value. */
static const struct render_case value_cases[] = {
    {"", ""},
    {"plain text }} with braces", "plain text }} with braces"},
    {"{{.Name}}", "/openclaw-sbx"},
    {"{{ .Name }}", "/openclaw-sbx"},
    {"{{.State.Status}}/{{.State.Pid}}/{{.State.ExitCode}}/{{.State.Paused}}", "running/4242/0/false"},
    {"{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}}", "1073741824 1000000000"},
    {"{{.Nope}}", "<no value>"},
    {"{{.Nope.Deeper.Still}}", "<no value>"},
    {"{{.state.running}}", "<no value>"},
    {"{{.Config.Labels.nope}}", "<no value>"},
    {"{{.State.Health}}", "<nil>"},
    {"{{.HostConfig.PidsLimit}}", "<nil>"},
    {"{{.State.Health.Status}}", "<no value>"},
    {"{{.Config.Env}}", "[A=1 B=2]"},
    {"{{.Config.Labels}}",
     "map[openclaw.configHash:9f86d081 openclaw.sandbox:1 openclaw.sessionKey:agent:main]"},
    {"{{.HostConfig.Tmpfs}}", "map[/run: /tmp: /var/tmp:]"},
    {"{{.Mounts}}",
     "[map[Destination:/workspace Mode:z Propagation:rprivate RW:true Source:/srv/ws Type:bind] "
     "map[Destination:/workspace/skills Mode:ro,z Propagation:rprivate RW:false Source:/srv/ws/skills "
     "Type:bind]]"},
    {"{{.Odd.Mixed}}", "map[b:false l:[1 a] n:1 s:x z:<nil>]"},
    {"{{.Odd.NoList}}|{{.Odd.NoMap}}|{{.Odd.Empty}}|", "[]|map[]||"},
    {"{{.Odd.Half}} {{.Odd.Two}} {{.Odd.Tiny}} {{.Odd.Big}} {{.Odd.Small}} {{.Odd.Neg}} {{.Odd.Huge}}",
     "1.5 2 1e-07 1.2345675e+06 0.0001 -0.25 1e+21"},
    {"{{.Odd.Html}}", "<a href=\"x\">&amp;</a>"},
    {"{{.Odd.Nums}}", "[3 1 2]"},
    {"{{\"lit\"}} {{`raw\\n`}} {{42}} {{-7}} {{true}} {{false}}", "lit raw\\n 42 -7 true false"},
    {"{{\"tab\\there \\x41\\u00e9\\\"\"}}", "tab\there A\xc3\xa9\""},
    {"{{.Server}}", "map[Version:27.3.1]"},
};

/* docker's `json`: compact, keys in the object's order, no HTML escaping (SetEscapeHTML(false)). */
static const struct render_case json_cases[] = {
    {"{{json .Id}}", "\"4f3c2b1a09e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2\""},
    {"{{json .State}}", "{\"Status\":\"running\",\"Running\":true,\"Paused\":false,\"ExitCode\":0,\"Pid\":"
			"4242,\"Health\":null}"},
    {"{{json .Config.Labels}}", "{\"openclaw.configHash\":\"9f86d081\",\"openclaw.sandbox\":\"1\",\"openclaw."
				"sessionKey\":\"agent:main\"}"},
    {"{{json .Nope}} {{json .State.Health}} {{json .Config.Entrypoint}}", "null null null"},
    {"{{json .Odd.Html}}", "\"<a href=\\\"x\\\">&amp;</a>\""},
    {"{{json .Odd.Ctl}}", "\"tab\\tnl\\nbs\\b\\u0001\\u001f\""},
    {"{{json .Odd.Uni}}", "\"caf\xc3\xa9 \\u2028 \xf0\x9f\x98\x80\""},
    {"{{json .Odd.Half}} {{json .Odd.Two}} {{json .Odd.Tiny}} {{json .Odd.Big}} {{json .Odd.Huge}}",
     "1.5 2 1e-7 1234567.5 1e+21"},
    {"{{json .Odd.NoList}}{{json .Odd.NoMap}}{{json .Odd.Empty}}", "[]{}\"\""},
    {"{{json .Odd.Mixed}}", "{\"n\":1,\"s\":\"x\",\"z\":null,\"b\":false,\"l\":[1,\"a\"]}"},
    {"{{.Mounts | json}}", NULL}, /* filled from the OpenClaw case: the same JSON through a pipe */
    {"{{json 5}} {{json \"a\"}} {{json true}} {{json nil}}", "5 \"a\" true null"},
};

/* index, join, upper, lower, printf, pipelines. */
static const struct render_case function_cases[] = {
    {"{{index .Config.Labels \"openclaw.sandbox\"}}", "1"},
    {"{{index .Config.Labels \"absent\"}}", ""},   /* map[string]string: Go's zero string */
    {"{{index .State \"Absent\"}}", "<no value>"}, /* a map of mixed values has no zero */
    {"{{index .State.Health \"Status\"}}", ""},	   /* null is a nil map */
    {"{{index .Config.Env 1}}", "B=2"},
    {"{{index .Mounts 1 \"Destination\"}}", "/workspace/skills"},
    {"{{index .Mounts 0}}", "map[Destination:/workspace Mode:z Propagation:rprivate RW:true Source:/srv/ws "
			    "Type:bind]"},
    {"{{index .Name 1}}", "111"},
    {"{{index .Config.Labels}}", "map[openclaw.configHash:9f86d081 openclaw.sandbox:1 "
				 "openclaw.sessionKey:agent:main]"},
    {"{{.Config.Labels | index}}", NULL},
    {"{{join .Config.Env \",\"}}", "A=1,B=2"},
    {"{{join .Config.Cmd \" \"}}", "sleep infinity"},
    {"[{{join .Nope \",\"}}][{{join .Config.Entrypoint \",\"}}]", "[][]"},
    {"{{upper .State.Status}} {{lower \"MiXeD é\"}}", "RUNNING mixed é"},
    {"{{.Name | upper}}", "/OPENCLAW-SBX"},
    {"{{.Config.Labels | json | upper}}", "{\"OPENCLAW.CONFIGHASH\":\"9F86D081\",\"OPENCLAW.SANDBOX\":\"1\","
					  "\"OPENCLAW.SESSIONKEY\":\"AGENT:MAIN\"}"},
    {"{{index .Config.Labels \"openclaw.sessionKey\" | upper}}", "AGENT:MAIN"},
    {"{{printf \"%s:%d\" .Name .State.Pid}}", "/openclaw-sbx:4242"},
    {"{{printf \"%v %v %v\" .State.Running .Config.Env .Odd.Half}}", "true [A=1 B=2] 1.5"},
    {"{{printf \"%q\" .Name}} {{printf \"%q\" .Config.Env}}", "\"/openclaw-sbx\" [\"A=1\" \"B=2\"]"},
    {"{{printf \"%q\" .Odd.Ctl}}", "\"tab\\tnl\\nbs\\b\\x01\\x1f\""},
    {"{{printf \"%q\" 65}}", "'A'"},
    {"{{printf \"%q\" .Odd.Uni}} {{printf \"%q\" \"\\u00a0\\u00ad\\x80\\U000e0001\"}}",
     "\"caf\xc3\xa9 \\u2028 \xf0\x9f\x98\x80\" \"\\u00a0\\u00ad\\x80\\U000e0001\""},
    {"{{printf \"%d\" .Name}}", "%!d(string=/openclaw-sbx)"},
    {"{{printf \"%s\" .State.Pid}}", "%!s(int=4242)"},
    {"{{printf \"%d\" .Odd.Half}} {{printf \"%s\" .State.Running}}", "%!d(float64=1.5) %!s(bool=true)"},
    {"{{printf \"%s\" .Nope}} {{printf \"%v\" .Nope}} {{printf \"%d\" .State.Health}}",
     "%!s(<nil>) <nil> %!d(<nil>)"},
    {"{{printf \"%s|%s\" .Name}}", "/openclaw-sbx|%!s(MISSING)"},
    {"{{printf \"x\" .Name 3 .Nope}}", "x%!(EXTRA string=/openclaw-sbx, int=3, <nil>)"},
    {"{{printf \"%-8s|%8s|%5d|%-3d|\" \"ab\" \"cd\" 42 7}}", "ab      |      cd|   42|7  |"},
    {"{{printf \"%3s|\" \"\xc3\xa9\"}}", "  \xc3\xa9|"},
    {"{{printf \"100%%\"}} {{printf \"%\"}}", "100% %!(NOVERB)"},
    {"{{.Name | printf \"name=%s\"}}", "name=/openclaw-sbx"},
    {"{{printf \"%d\" .Config.Env}}", "[%!d(string=A=1) %!d(string=B=2)]"},
};

/* if/else/range, nesting, trim markers. */
static const struct render_case control_cases[] = {
    {"{{if .State.Running}}up{{else}}down{{end}}", "up"},
    {"{{if .State.Paused}}p{{else if .State.Running}}r{{else}}x{{end}}", "r"},
    {"{{if .Nope}}a{{else if .State.Health}}b{{else if .Odd.Zero}}c{{else}}d{{end}}", "d"},
    {"{{if .Odd.Empty}}1{{end}}{{if .Odd.NoList}}2{{end}}{{if .Odd.NoMap}}3{{end}}{{if .Odd.Zero}}4{{end}}"
     "{{if .State.Paused}}5{{end}}{{if .HostConfig.PidsLimit}}6{{end}}{{if .Odd.Huge}}7{{end}}{{if .Mounts}}8"
     "{{end}}{{if \"x\"}}9{{end}}",
     "789"},
    {"{{if .Config.Labels}}{{index .Config.Labels \"openclaw.sandbox\"}}{{end}}", "1"},
    {"{{range .Mounts}}{{.Destination}}:{{.RW}} {{end}}", "/workspace:true /workspace/skills:false "},
    {"{{range .Mounts}}{{if .RW}}rw{{else}}ro{{end}}={{.Source}};{{end}}", "rw=/srv/ws;ro=/srv/ws/skills;"},
    {"{{range .Config.Labels}}{{.}},{{end}}", "9f86d081,1,agent:main,"},
    {"{{range .Odd.Nums}}{{.}}{{end}}", "312"},
    {"{{range .Odd.NoList}}x{{else}}none{{end}} {{range .Nope}}x{{else}}none{{end}} "
     "{{range .State.Health}}x{{end}}.",
     "none none ."},
    {"{{range .Mounts}}{{range .}}{{.}}|{{end}};{{end}}",
     "/workspace|z|rprivate|true|/srv/ws|bind|;/workspace/skills|ro,z|rprivate|false|/srv/ws/skills|bind|;"},
    {"{{range .Config.Env}}{{if .}}[{{.}}]{{end}}{{end}}", "[A=1][B=2]"},
    {"{{range .Mounts}}{{json .Mode}}{{end}}", "\"z\"\"ro,z\""},
    {"a  \n\t {{- .State.Status -}} \n b", "arunningb"},
    {"a {{- .State.Status}} b", "arunning b"},
    {"a {{.State.Status -}} b", "a runningb"},
    {"{{range .Config.Env -}}\n  {{.}}\n{{- end}}", "A=1B=2"},
    {"{{range .Config.Env}}\n  {{- . -}}\n{{end}}", "A=1B=2"},
    {"x {{-3}} {{ -3 }}", "x -3 -3"},
    {"{{- \"only\" -}}", "only"},
    {"line1\n{{if true -}}\n\tyes\n{{- end}}\n", "line1\nyes\n"},
    {"{{if .State.Running}}{{range .Config.Cmd}}<{{.}}>{{end}}{{else}}no{{end}}", "<sleep><infinity>"},
};

struct error_case {
	const char *tmpl;
	const char *message; /* the whole one-line message */
};

static const struct error_case error_cases[] = {
    {"{{.Id", "template: :1: unclosed action"},
    {"{{.Id}", "template: :1: unexpected \"}\" in operand"},
    {"a\n{{foo .Id}}", "template: :2: function \"foo\" not defined"},
    {"{{eq .A \"b\"}}", "template: :1: function \"eq\" is not supported"},
    {"{{if .A}}x", "template: :1: unexpected EOF"},
    {"x{{end}}", "template: :1: unexpected {{end}}"},
    {"{{else}}", "template: :1: unexpected {{else}}"},
    {"{{if .A}}{{else}}{{else}}{{end}}", "template: :1: expected end; found {{else}}"},
    {"{{range .A}}{{else if .B}}{{end}}", "template: :1: {{else if}} in {{range}} is not supported"},
    {"{{with .State}}{{.Status}}{{end}}", "template: :1: {{with}} is not supported"},
    {"{{define \"x\"}}{{end}}", "template: :1: {{define}} is not supported"},
    {"{{$x := .Id}}", "template: :1: variables are not supported"},
    {"{{range $i, $m := .Mounts}}{{end}}", "template: :1: variables are not supported"},
    {"{{(index .Mounts 0).Source}}", "template: :1: parenthesized pipelines are not supported"},
    {"{{/* note */}}", "template: :1: comments are not supported"},
    {"{{}}", "template: :1: missing value for command"},
    {"{{ -}}", "template: :1: missing value for command"},
    {"{{.Id |}}", "template: :1: missing value for command"},
    {"{{if}}{{end}}", "template: :1: missing value for if"},
    {"{{range}}{{end}}", "template: :1: missing value for range"},
    {"{{.Name .Id}}", "template: :1: can't give argument to non-function .Name"},
    {"{{.Name | .Id}}", "template: :1: non executable command in pipeline stage 2"},
    {"{{\"a\" | \"b\"}}", "template: :1: non executable command in pipeline stage 2"},
    {"{{nil}}", "template: :1: nil is not a command"},
    {"{{json json}}", "template: :1: wrong number of args for json: want 1 got 0"},
    {"{{\"abc}}", "template: :1: unterminated quoted string"},
    {"{{`abc}}", "template: :1: unterminated raw quoted string"},
    {"{{\"\\q\"}}", "template: :1: invalid escape \\q in quoted string"},
    {"{{1.5}}", "template: :1: number 1.5 is not supported: integers only"},
    {"{{0x10}}", "template: :1: number 0x10 is not supported: integers only"},
    {"{{99999999999999999999}}", "template: :1: 99999999999999999999 overflows int"},
    {"{{'a'}}", "template: :1: character constants are not supported"},
    {"{{.A.}}", "template: :1: unexpected \".\" in operand"},
    {"{{.Labels[0]}}", "template: :1: unexpected \"[\" in operand"},
    {"{{json end}}", "template: :1: unexpected {{end}} inside an action"},
    {"{{end x}}", "template: :1: unexpected \"x\" in end"},
    {"{{json}}", "template: :1:2: executing \"\" at <json>: wrong number of args for json: want 1 got 0"},
    {"{{json .Id .Name}}",
     "template: :1:2: executing \"\" at <json>: wrong number of args for json: want 1 got 2"},
    {"{{index}}",
     "template: :1:2: executing \"\" at <index>: wrong number of args for index: want at least 1 got 0"},
    {"{{.Name.First}}",
     "template: :1:2: executing \"\" at <.Name.First>: can't evaluate field First in type string"},
    {"x\n  {{.Mounts.Source}}", "template: :2:4: executing \"\" at <.Mounts.Source>: can't evaluate field "
				"Source in type []interface {}"},
    {"{{upper .State.Pid}}",
     "template: :1:8: executing \"\" at <.State.Pid>: wrong type for value; expected string; got int"},
    {"{{upper .Nope}}", "template: :1:8: executing \"\" at <.Nope>: invalid value; expected string"},
    {"{{join .Mounts \",\"}}", "template: :1:7: executing \"\" at <.Mounts>: wrong type for value; expected "
			       "[]string; got []interface {}"},
    {"{{index .Config.Env 5}}",
     "template: :1:2: executing \"\" at <index>: error calling index: index out of range: 5"},
    {"{{index .Config.Env -1}}",
     "template: :1:2: executing \"\" at <index>: error calling index: index out of range: -1"},
    {"{{index .Config.Env \"a\"}}",
     "template: :1:2: executing \"\" at <index>: error calling index: cannot index slice/array with type "
     "string"},
    {"{{index .Config.Labels 0}}",
     "template: :1:2: executing \"\" at <index>: error calling index: value has type int; should be string"},
    {"{{index .Nope \"x\"}}",
     "template: :1:2: executing \"\" at <index>: error calling index: index of untyped nil"},
    {"{{index .State.Pid 0}}",
     "template: :1:2: executing \"\" at <index>: error calling index: can't index item of type int"},
    {"{{index .State \"Nope\" \"x\"}}",
     "template: :1:2: executing \"\" at <index>: error calling index: index of nil pointer"},
    {"{{range .Name}}{{end}}",
     "template: :1:8: executing \"\" at <.Name>: range can't iterate over /openclaw-sbx"},
    {"{{range .State.Pid}}{{end}}",
     "template: :1:8: executing \"\" at <.State.Pid>: range can't iterate over 4242"},
    {"{{printf \"%x\" 1}}", "template: :1:9: executing \"\" at <\"%x\">: printf: %x is not supported: only "
			    "%s, %d, %v and %q with - and "
			    "a width"},
    {"{{printf \"%05d\" 1}}",
     "template: :1:9: executing \"\" at <\"%05d\">: printf: %0 is not supported: only "
     "%s, %d, %v and %q with - and "
     "a width"},
    {"{{printf .State.Pid}}",
     "template: :1:9: executing \"\" at <.State.Pid>: wrong type for value; expected string; got int"},
    {"{{.State.Pid | upper}}",
     "template: :1:15: executing \"\" at <upper>: wrong type for value; expected string; got int"},
    {"{{if .State.Running}}{{.Name.X}}{{end}}",
     "template: :1:23: executing \"\" at <.Name.X>: can't evaluate field X in type string"},
};

static json_t *doc;
static struct al_err err;

/* Render and compare; the output is checked whole so that a stray byte fails. */
static void check_render(const char *tmpl, const char *want)
{
	char *out = NULL;
	check_total++;
	err.msg[0] = '\0';
	if (al_template_render(tmpl, doc, &out, &err) != 0) {
		check_failed++;
		fprintf(stderr, "FAILED: %s: error %s\n", tmpl, err.msg);
		return;
	}
	if (strcmp(out, want) != 0) {
		check_failed++;
		fprintf(stderr, "FAILED: %s:\n   got: %s\n  want: %s\n", tmpl, out, want);
	}
	free(out);
}

static void check_cases(const struct render_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (cases[i].want)
			check_render(cases[i].tmpl, cases[i].want);
}

static void test_openclaw(void)
{
	check_cases(openclaw_cases, sizeof openclaw_cases / sizeof openclaw_cases[0]);
}

static void test_values(void)
{
	check_cases(value_cases, sizeof value_cases / sizeof value_cases[0]);
}

static void test_json(void)
{
	char *want = NULL;
	check_cases(json_cases, sizeof json_cases / sizeof json_cases[0]);
	/* A pipe gives the same JSON as the argument form. */
	CHECK_OK(al_template_render("{{json .Mounts}}", doc, &want, &err), &err);
	if (want)
		check_render("{{.Mounts | json}}", want);
	free(want);
}

static void test_functions(void)
{
	char *want = NULL;
	check_cases(function_cases, sizeof function_cases / sizeof function_cases[0]);
	CHECK_OK(al_template_render("{{index .Config.Labels}}", doc, &want, &err), &err);
	if (want)
		check_render("{{.Config.Labels | index}}", want);
	free(want);
}

static void test_control(void)
{
	check_cases(control_cases, sizeof control_cases / sizeof control_cases[0]);
}

static void test_errors(void)
{
	for (size_t i = 0; i < sizeof error_cases / sizeof error_cases[0]; i++) {
		char *out = (char *)"untouched";
		err.msg[0] = '\0';
		int r = al_template_render(error_cases[i].tmpl, doc, &out, &err);
		CHECK_INT(r, -1);
		check_str(__FILE__, __LINE__, error_cases[i].tmpl, err.msg, error_cases[i].message);
		CHECK_STR(out, "untouched");
	}
}

/* The root itself, other roots, and a template applied to a scalar. */
static void test_roots(void)
{
	char *out = NULL;
	json_t *small = json_pack("{s:i, s:[s, s], s:n}", "b", 1, "a", "x", "y", "c");
	json_t *text = json_string("just a string");
	CHECK_OK(al_template_render("{{.}}", small, &out, &err), &err);
	CHECK_STR(out, "map[a:[x y] b:1 c:<nil>]");
	free(out);
	CHECK_OK(al_template_render("{{json .}}", small, &out, &err), &err);
	CHECK_STR(out, "{\"b\":1,\"a\":[\"x\",\"y\"],\"c\":null}");
	free(out);
	CHECK_OK(al_template_render("{{.}} {{upper .}} {{if .}}t{{end}}", text, &out, &err), &err);
	CHECK_STR(out, "just a string JUST A STRING t");
	free(out);
	CHECK_FAILS(al_template_render("{{.Field}}", text, &out, &err), &err,
		    "template: :1:2: executing \"\" at <.Field>: can't evaluate field Field in type string");
	CHECK_OK(al_template_render("{{.}}|{{.X}}|{{json .}}", NULL, &out, &err), &err);
	CHECK_STR(out, "<no value>|<no value>|null");
	free(out);
	CHECK_FAILS(al_template_render(NULL, small, &out, &err), &err, "template: no template");
	json_decref(small);
	json_decref(text);
}

int main(void)
{
	json_error_t jerr;
	doc = json_loads(inspect_json, 0, &jerr);
	if (!doc) {
		fprintf(stderr, "fixture: %s at %d\n", jerr.text, jerr.position);
		return 1;
	}
	test_openclaw();
	test_values();
	test_json();
	test_functions();
	test_control();
	test_errors();
	test_roots();
	json_decref(doc);
	CHECK_DONE();
}
