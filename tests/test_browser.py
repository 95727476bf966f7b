"""The frames page in a real browser: headless Chromium driven by selenium.

Clicks Next through every step of the course's J = 3(a + bc), checks each step's text
and highlighted node, that the picture does not move, and - with the browser's own
font metrics (``getBBox()``) - that no two text boxes overlap and that every label
stays inside its node. Keeps a screenshot of every step (under pytest's tmp dir and in
``out/browser/``, which git ignores).

Needs Graphviz's ``dot``, selenium (the test extra) and Debian's ``chromium`` and
``chromium-driver`` (``make test`` installs them as root); skips with the reason
otherwise.
"""

import shutil
import subprocess
from pathlib import Path

import pytest

import autograd_lite as al
import visualize
from autograd_lite.cli import main

webdriver = pytest.importorskip(
    "selenium.webdriver", reason="selenium is not installed (pip install selenium)"
)
from selenium.common.exceptions import WebDriverException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
BROWSER = next((path for name in BROWSERS if (path := shutil.which(name))), None)
DRIVER = shutil.which("chromedriver")
ARTIFACTS = Path(__file__).resolve().parents[1] / "out" / "browser"

pytestmark = [
    pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed"),
    pytest.mark.skipif(
        BROWSER is None,
        reason="headless Chromium is not installed (apt-get install chromium chromium-driver; "
        "`make test` installs it when run as root)",
    ),
    pytest.mark.skipif(
        DRIVER is None,
        reason="chromedriver is not installed (apt-get install chromium-driver; "
        "`make test` installs it when run as root)",
    ),
]

#: What the course writes at each step of J = 3(a + bc), a = 5, b = 3, c = 2: the node
#: processed and the chain rule with its numbers (worked by hand, not by the code).
COURSE_STEPS = [
    ("J", ["dJ/dJ = 1"]),
    ("J", ["dJ/dv = dJ/dJ · 3 = 1 · 3 = 3"]),
    ("v", ["dJ/da = dJ/dv · 1 = 3 · 1 = 3", "dJ/du = dJ/dv · 1 = 3 · 1 = 3"]),
    ("u", ["dJ/db = dJ/du · c = 3 · 2 = 6", "dJ/dc = dJ/du · b = 3 · 3 = 9"]),
]

#: The text boxes (getBBox: the browser's font metrics, ascent to descent) of the visible
#: picture that overlap, the labels that leave their node (beyond a pixel), and the lines
#: that are not centred in their node (Graphviz measured another font than the one drawn).
OVERLAPS = """
var svg = document.querySelector('.frame.active svg');
var texts = Array.prototype.slice.call(svg.querySelectorAll('text'));
var boxes = texts.map(function (t) { return t.getBBox(); });
var found = [];
function share(a, b) {
  var w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  var h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0.01 && h > 0.01;
}
for (var i = 0; i < texts.length; i++) {
  for (var j = i + 1; j < texts.length; j++) {
    if (share(boxes[i], boxes[j])) {
      found.push('overlap: "' + texts[i].textContent + '" / "' + texts[j].textContent + '"');
    }
  }
}
svg.querySelectorAll('g.node').forEach(function (node) {
  var outline = node.querySelector('polygon, path, ellipse');
  if (!outline) { return; }
  var o = outline.getBBox();
  node.querySelectorAll('text').forEach(function (t) {
    var b = t.getBBox();
    if (b.x < o.x - 1 || b.x + b.width > o.x + o.width + 1) {
      found.push('outside its node: "' + t.textContent + '"');
    }
    // Graphviz centred the line with its own measure of the font: the browser's agrees.
    var off = (b.x + b.width / 2) - (o.x + o.width / 2);
    if (Math.abs(off) > 3) {  // Graphviz rounds widths to whole points
      found.push('off centre by ' + off.toFixed(1) + ': "' + t.textContent + '"');
    }
  });
});
return {found: found, texts: texts.length};
"""

HIGHLIGHTED = """
var frame = document.querySelector('.frame.active');
var nodes = frame.querySelectorAll('svg g.node.highlight');
var rect = frame.querySelector('svg').getBoundingClientRect();
return {
  step: frame.dataset.step, node: frame.dataset.node,
  highlighted: Array.prototype.map.call(nodes, function (g) {
    return {title: g.querySelector('title').textContent,
            text: g.querySelector('text').textContent,
            stroke: g.querySelector('path, polygon').getAttribute('stroke')};
  }),
  picture: [rect.left, rect.top, rect.width, rect.height]
};
"""


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    options = webdriver.ChromeOptions()
    options.binary_location = BROWSER
    profile = tmp_path_factory.mktemp("chromium-profile")
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                 f"--user-data-dir={profile}", "--window-size=1400,1000"):
        options.add_argument(flag)
    try:
        driver = webdriver.Chrome(options=options, service=Service(DRIVER))
    except (WebDriverException, OSError, subprocess.SubprocessError) as error:
        pytest.skip(f"headless Chromium did not start: {str(error).strip().splitlines()[0]}")
    yield driver
    driver.quit()


def keep_screenshot(driver, tmp_path, name):
    path = tmp_path / name
    assert driver.save_screenshot(str(path))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, ARTIFACTS / name)
    return path


def visible_chains(driver):
    return [el.text for el in driver.find_elements(By.CSS_SELECTOR, ".chain") if el.is_displayed()]


def check_no_overlaps(driver, what):
    result = driver.execute_script(OVERLAPS)
    assert result["texts"] >= 10, what
    assert result["found"] == [], (what, result["found"])


def test_the_course_frames_page_step_by_step(browser, tmp_path):
    folder = tmp_path / "frames"
    assert main(["graph", "J = 3*(a + b*c)", "a=5", "b=3", "c=2", "--frames", str(folder)]) == 0
    browser.get((folder / "index.html").resolve().as_uri())
    prev, following = browser.find_element(By.ID, "prev"), browser.find_element(By.ID, "next")
    pictures = []
    for step, (name, lines) in enumerate(COURSE_STEPS):
        chains = visible_chains(browser)
        assert len(chains) == 1, chains  # one step's text, shown once
        assert chains[0].startswith(f"Step {step} of 3")
        for line in lines:
            assert line in chains[0]
        state = browser.execute_script(HIGHLIGHTED)
        assert state["step"] == str(step)
        (node,) = state["highlighted"]
        assert node["title"] == state["node"]
        assert node["text"].startswith(f"{name} = ") and node["stroke"] == "#dc2626"
        pictures.append(state["picture"])
        check_no_overlaps(browser, f"step {step}")
        keep_screenshot(browser, tmp_path, f"course_step_{step}.png")
        assert prev.is_enabled() == (step > 0)
        assert following.is_enabled() == (step < 3)
        if step < 3:
            following.click()
    # The picture stands still: same place, same size at every step.
    assert all(picture == pictures[0] for picture in pictures), pictures
    prev.click()
    assert visible_chains(browser)[0].startswith("Step 2 of 3")


def test_a_longer_graph_has_no_overlapping_labels(browser, tmp_path):
    x1, x2 = al.Tensor(1.5, name="x1"), al.Tensor(-2.0, name="x2")
    w1 = al.Tensor(0.3, requires_grad=True, name="w1")
    w2 = al.Tensor(-0.7, requires_grad=True, name="w2")
    b = al.Tensor(0.1, requires_grad=True, name="b")
    a = al.sigmoid(w1 * x1 + w2 * x2 + b)
    loss = -(al.log(a) + 0.0 * al.log(1 - a))
    frames = visualize.backward_frames(loss)
    page = visualize.frames_to_html(frames, tmp_path / "loss.html")
    browser.get(page.resolve().as_uri())
    for frame in frames:
        chains = visible_chains(browser)
        assert chains == [f"Step {frame.step} of {frame.total}\n" + "\n".join(frame.lines)]
        check_no_overlaps(browser, f"step {frame.step}")
        if frame.step < frame.total:
            browser.find_element(By.ID, "next").click()
    keep_screenshot(browser, tmp_path, "loss_last_step.png")
