/** The dashboard's two scripts, each one classic file (no imports): the shared part, then the page's own. */
import { caseScript } from './client/case-script.js';
import { commonScript } from './client/common-script.js';
import { overviewScript } from './client/overview-script.js';

export const overviewPageScript = commonScript + overviewScript;
export const casePageScript = commonScript + caseScript;
