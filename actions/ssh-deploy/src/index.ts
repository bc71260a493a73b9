import { runAction } from "@powertrain/action-kit";
import { main, post } from "./main";

void runAction(main, post);
